import { useLoaded, useReplica, useY } from '@driftless/react'
import { useEffect, type ReactNode } from 'react'
import { titlesOf } from './documents.js'
import { PresenceList } from './presence-list.js'
import { RichText, type CaretUser } from './rich-text.js'
import { SaveIndicator } from './save-indicator.js'
import { exposeReplica } from './test-hooks.js'

/** The open document: its title, where it is saved, who else is here, and the editor. */
export function DocumentView({ id, user, index }: { id: string; user: CaretUser; index: ReturnType<typeof useReplica> }): ReactNode {
  const replica = useReplica()
  const loaded = useLoaded()
  const title = useY(index ? titlesOf(index.doc) : undefined, (titles) => titles.get(id))
  useEffect(() => (replica ? exposeReplica(id, replica) : undefined), [id, replica])
  const rename = (next: string): void => {
    if (index) titlesOf(index.doc).set(id, next)
  }
  return (
    <article className="document" data-testid="document" data-ready={String(loaded)}>
      <header className="document__header">
        <input
          className="document__title"
          aria-label="Title"
          data-testid="title"
          value={title ?? ''}
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
