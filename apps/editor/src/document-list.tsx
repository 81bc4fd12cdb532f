import { ReplicaProvider, useY } from '@driftless/react'
import type { Replica } from '@driftless/replica'
import type { ReactNode } from 'react'
import { docIdOf, documentsOf, sortedEntries, titlesOf } from './documents.js'
import { FollowWorkOffline } from './offline.js'
import { SaveIndicator } from './save-indicator.js'

/** Props shared by every replica of the app (relay, tab channel prefix). */
export interface ReplicaSettings {
  readonly relay: string
  readonly channelPrefix: string
}

/**
 * The documents every device shares. Each entry opens its document's replica (all on one socket) to show
 * where it is saved; the open document shares that very replica.
 */
export function DocumentList({ index, selected, onSelect, onCreate, settings }: {
  index: Replica | undefined
  selected: string | undefined
  onSelect: (id: string) => void
  onCreate: () => void
  settings: ReplicaSettings
}): ReactNode {
  const documents = useY(index ? documentsOf(index.doc) : undefined) ?? {}
  const titles = useY(index ? titlesOf(index.doc) : undefined) ?? {}
  return (
    <nav className="documents" aria-label="Documents">
      <button type="button" className="documents__new" data-testid="new-document" onClick={onCreate}>+ New document</button>
      <ul className="documents__list" data-testid="document-list">
        {sortedEntries(documents).map(([id]) => (
          <li key={id}>
            <ReplicaProvider docId={docIdOf(id)} {...settings} autoConnect={false}>
              <FollowWorkOffline />
              <button
                type="button"
                className={`documents__item${id === selected ? ' documents__item--open' : ''}`}
                aria-current={id === selected ? 'page' : undefined}
                data-testid="document-link"
                onClick={() => onSelect(id)}
              >
                <span className="documents__title">{titles[id] || 'Untitled'}</span>
                <SaveIndicator compact />
              </button>
            </ReplicaProvider>
          </li>
        ))}
      </ul>
    </nav>
  )
}
