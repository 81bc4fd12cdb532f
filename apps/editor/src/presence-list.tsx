import { usePresence } from '@driftless/react'
import type { ReactNode } from 'react'
import type { CaretUser } from './rich-text.js'

/** Who else has this document open right now (the names on their carets). */
export function PresenceList(): ReactNode {
  const { states, clientId } = usePresence<{ user?: CaretUser }>()
  const others = [...states].filter(([id, state]) => id !== clientId && state.user).map(([id, state]) => ({ id, user: state.user! }))
  if (others.length === 0) return <p className="presence presence--alone" data-testid="presence">Only you here</p>
  return (
    <ul className="presence" data-testid="presence" aria-label="Also here">
      {others.map(({ id, user }) => (
        <li key={id} className="presence__person" style={{ borderColor: user.color }}>{user.name}</li>
      ))}
    </ul>
  )
}
