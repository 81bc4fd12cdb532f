import { useLeader, usePending, usePresence, useReplica, useReplicaError, useSaved, useStatus, useSynced, useY } from '@driftless/react'
import { useEffect, type ReactNode } from 'react'
import type * as Y from 'yjs'

export function WithoutProvider() {
  const replica = useReplica({ docId: 'scratch', storage: 'memory' }) // opened for this component
  const status = useStatus(replica) // every hook takes a replica instead of the provider's
  return <p>{replica ? status : 'opening…'}</p>
}

export function Connection() {
  const status = useStatus() // 'offline' | 'connecting' | 'syncing' | 'synced'
  return <span className={`dot dot--${status}`}>{status}</span>
}

export function Waiting() {
  const pending = usePending() // local changes the relay has not committed yet; survives reloads
  return pending > 0 ? <span>{pending} changes waiting</span> : null
}

export function SaveState() {
  const saved = useSaved() // in this device's storage
  const synced = useSynced() // committed by the relay, and nothing pending
  return <span>{synced ? 'Saved on the server' : saved ? 'Saved on this device' : 'Saving…'}</span>
}

export function LeaderBadge() {
  const leader = useLeader() // this tab holds the page's relay connection
  return leader ? <small>this tab talks to the relay</small> : null
}

export function WhoIsHere({ name }: { name: string }) {
  const { states, clientId, setLocalPresence } = usePresence<{ name: string }>()
  useEffect(() => setLocalPresence({ name }), [name, setLocalPresence])
  const others = [...states].filter(([id]) => id !== clientId).map(([, state]) => state.name)
  return <p>Also here: {others.join(', ') || 'nobody'}</p>
}

export function CardCount() {
  // Re-renders only when 'cards' changes, and with a selector only when the selected value does.
  const count = useY((doc) => doc.getArray<string>('cards'), (cards: Y.Array<string>) => cards.length)
  return <p>{count ?? 0} cards</p>
}

export function ErrorLine() {
  const { error, clear } = useReplicaError() // the latest error of the nearest provider
  return error ? <p role="alert">{error.message} <button onClick={clear}>Dismiss</button></p> : null
}

export function FailLoudly({ children }: { children: ReactNode }) {
  // Throws 'forbidden' and 'unauthorized' into the nearest error boundary; others stay in `error`.
  useReplicaError({ throwIf: (error) => ['forbidden', 'unauthorized'].includes((error as { code?: string }).code ?? '') })
  return children
}
