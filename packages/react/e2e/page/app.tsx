import { StrictMode, useState, type ReactNode } from 'react'
import { ReplicaProvider, useLeader, useLoaded, usePending, useReplica, useStatus, useSynced, useY } from '@driftless/react'

/** What the page shows, from its query string: the same on the server and in the browser. */
export interface PageConfig {
  readonly docId: string
  readonly relay: string
}

export const configFrom = (search: string): PageConfig => {
  const params = new URLSearchParams(search)
  return { docId: params.get('doc') ?? 'hydration', relay: params.get('relay') ?? 'ws://127.0.0.1:8787' }
}

function Indicators(): ReactNode {
  const text = `${useStatus()} pending=${usePending()} synced=${useSynced()} loaded=${useLoaded()}`
  return (
    <>
      <p data-testid="indicators">{text}</p>
      <p data-testid="tab-role">{useLeader() ? 'leader' : 'follower'}</p>
    </>
  )
}

function Notes(): ReactNode {
  const replica = useReplica()
  const notes = useY((doc) => doc.getArray<string>('notes')) ?? []
  const [draft, setDraft] = useState('')
  return (
    <form onSubmit={(event) => {
      event.preventDefault()
      replica?.doc.getArray<string>('notes').push([draft])
      setDraft('')
    }}>
      <input data-testid="draft" value={draft} onChange={(event) => setDraft(event.target.value)} />
      <ul data-testid="notes">{notes.map((note, i) => <li key={i}>{note}</li>)}</ul>
    </form>
  )
}

/** The page, in StrictMode: a replica for the tree, its indicators, and a list of notes. */
export function App({ config }: { config: PageConfig }): ReactNode {
  return (
    <StrictMode>
      <ReplicaProvider docId={config.docId} relay={config.relay} channelPrefix="react-e2e">
        <Indicators />
        <Notes />
      </ReplicaProvider>
    </StrictMode>
  )
}
