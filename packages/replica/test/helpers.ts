import type { ReplicaError } from '../src/index.js'
import { openReplica, type Replica, type ReplicaOptions } from '../src/index.js'
import { FakeSocket } from './fake-relay.js'

const open: Replica[] = []

/** A Node replica on the fake relay (or none); closed by `closeAll`. */
export const replica = (options: Partial<ReplicaOptions> & { docId?: string }): Replica & { errors: ReplicaError[] } => {
  const r = openReplica({
    docId: 'doc', storage: 'memory', WebSocket: FakeSocket, backoff: { baseMs: 5, capMs: 20 }, ...options,
  }) as Replica & { errors: ReplicaError[] }
  r.errors = []
  r.on('error', (error) => r.errors.push(error))
  open.push(r)
  return r
}

export const closeAll = async (): Promise<void> => {
  await Promise.all(open.splice(0).map((r) => r.close()))
}

export const text = (r: Replica, name = 't'): string => r.doc.getText(name).toString()
