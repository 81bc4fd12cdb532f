import type { Subscriber } from '../room.js'
import type { CommitOrigin, HookConnection } from './types.js'

const origins = new WeakMap<Subscriber, { kind: 'client'; connection: HookConnection }>()
let nextId = 1

/**
 * The origin of a client's updates: one object per connection, so hooks (and the grouping of `afterCommit`)
 * can tell connections apart by identity, and nothing is kept once the connection is gone.
 */
export const clientOrigin = (subscriber: Subscriber): CommitOrigin => {
  let origin = origins.get(subscriber)
  if (origin === undefined) {
    origin = { kind: 'client', connection: { id: nextId++, kind: subscriber.kind } }
    origins.set(subscriber, origin)
  }
  return origin
}

/** A connection as hooks see it. */
export const hookConnection = (subscriber: Subscriber): HookConnection =>
  (clientOrigin(subscriber) as { connection: HookConnection }).connection

/** Updates written by the relay's own code carry this origin. */
export const SERVER_ORIGIN: CommitOrigin = { kind: 'server' }
export const SEED_ORIGIN: CommitOrigin = { kind: 'seed' }
export const PEER_ORIGIN: CommitOrigin = { kind: 'peer' }
