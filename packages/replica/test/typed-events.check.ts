/**
 * Type tests, checked by `npm run typecheck` (never run): each `@ts-expect-error` line must fail to compile,
 * so a typo in an event name or a write to a read-only member is caught where it is written.
 */
import { openReplica, type ReplicaEvents, type Status } from '../src/index.js'

const replica = openReplica({ docId: 'types', storage: 'memory' })

replica.on('status', (status: Status) => void status)
replica.on('pending', (pending: number) => void pending)
// @ts-expect-error: no such event ('status' misspelled)
replica.on('satus', () => undefined)
// @ts-expect-error: the payload of 'pending' is a number
replica.on('pending', (pending: string) => void pending)
// @ts-expect-error: the status is the replica's to change
replica.status = 'synced'
// @ts-expect-error: pending is derived, not set
replica.pending = 0

/** The event names are exactly these: no index signature widens them to `string`. */
export const eventNames: Array<keyof ReplicaEvents> = ['status', 'pending', 'saved', 'synced', 'error', 'leader']
// @ts-expect-error: `keyof ReplicaEvents` is not `string`
export const anyName: keyof ReplicaEvents = 'anything'
