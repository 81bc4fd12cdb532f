import { useLoaded, useReplica, useY } from '@driftless/react'
import { useEffect, type ReactNode } from 'react'
import { documentsOf } from './documents.js'
import { PresenceList } from './presence-list.js'
import { RichText, type CaretUser } from './rich-text.js'
import { SaveIndicator } from './save-indicator.js'
import { exposeReplica } from './test-hooks.js'

/** The open document: its title, where it is saved, who else is here, and the editor. */
export function DocumentView({ id, user, index }: { id: string; user: CaretUser; index: ReturnType<typeof useReplica> }): ReactNode {
  const replica = useReplica()
  const loaded = useLoaded()
  const entry = useY(index ? documentsOf(index.doc) : undefined, (documents) => documents.get(id))
  useEffect(() => (replica ? exposeReplica(id, replica) : undefined), [id, replica])
  const rename = (title: string): void => {
    if (!index || !entry) return
    documentsOf(index.doc).set(id, { ...entry, title })
  }
  return (
    <article className="document" data-testid="document" data-ready={String(loaded)}>
      <header className="document__header">
        <input
          className="document__title"
          aria-label="Title"
          data-testid="title"
          value={entry?.title ?? ''}
          placeholder="Untitled"
          onChange={(event) => rename(event.target.value)}
        />
        <SaveIndicator />
      </header>
      <PresenceList />
      {replica && loaded ? <RichText replica={replica} user={user} /> : <p className="document__opening">Opening…</p>}
    </article>
  )
}
