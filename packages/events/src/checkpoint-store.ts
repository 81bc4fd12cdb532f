import { openDB, type DBSchema, type IDBPDatabase } from 'idb'
import * as random from 'lib0/random'

/** Which events a handler has dealt with: `stream -> next seq`. Each stream is handled as a prefix. */
export type Checkpoint = Readonly<Record<string, number>>

/**
 * Where a replica keeps its handlers' checkpoints, locally (never replicated). Also owns the replica's
 * device id: the prefix of every stream this replica writes, which is how `originOnly` handlers know
 * an event is theirs, across reloads and tabs sharing the store.
 */
export interface CheckpointStore {
  /**
   * Whether the store outlives the process (IndexedDB: yes; memory: no). A log on a store that does not
   * closes its stream with a leave marker: its device will never write again, so it stops holding the watermark.
   */
  readonly persistent: boolean
  /** A random id made once per store and kept: this replica's identity. */
  deviceId(): Promise<string>
  load(handler: string): Promise<Checkpoint | undefined>
  save(handler: string, checkpoint: Checkpoint): Promise<void>
  /** Releases resources (a database connection). */
  close(): Promise<void>
}

/** A short random id (base 36, about 41 bits). */
export const randomId = (): string => (random.uint32().toString(36) + random.uint32().toString(36)).slice(0, 8)

/** Checkpoints in memory: for Node, tests, and server-side handlers that restart from scratch. */
export function memoryCheckpoints(): CheckpointStore {
  const device = randomId()
  const checkpoints = new Map<string, Checkpoint>()
  return {
    persistent: false,
    deviceId: () => Promise.resolve(device),
    load: (handler) => Promise.resolve(checkpoints.get(handler)),
    save: (handler, checkpoint) => {
      checkpoints.set(handler, { ...checkpoint })
      return Promise.resolve()
    },
    close: () => Promise.resolve(),
  }
}

interface CheckpointSchema extends DBSchema {
  checkpoints: { key: string; value: Checkpoint }
  meta: { key: string; value: string }
}

/**
 * Checkpoints in IndexedDB (database `driftless-events:<name>`). Use one name per document; tabs of one
 * browser profile share it, so whichever tab leads resumes where the last leader stopped.
 * @example const log = await openEventLog(replica, { checkpoints: indexedDbCheckpoints('board-42') })
 */
export function indexedDbCheckpoints(name: string): CheckpointStore {
  let database: Promise<IDBPDatabase<CheckpointSchema>> | undefined
  const open = (): Promise<IDBPDatabase<CheckpointSchema>> =>
    (database ??= openDB<CheckpointSchema>(`driftless-events:${name}`, 1, {
      upgrade(db) {
        db.createObjectStore('checkpoints')
        db.createObjectStore('meta')
      },
    }))
  return {
    persistent: true,
    async deviceId() {
      const tx = (await open()).transaction('meta', 'readwrite')
      // Read and write in one transaction: two tabs opening at once still agree on one id.
      let device = await tx.store.get('device')
      if (device === undefined) {
        device = randomId()
        await tx.store.put(device, 'device')
      }
      await tx.done
      return device
    },
    async load(handler) {
      return (await open()).get('checkpoints', handler)
    },
    async save(handler, checkpoint) {
      await (await open()).put('checkpoints', { ...checkpoint }, handler)
    },
    async close() {
      if (database === undefined) return
      const opened = database
      database = undefined
      ;(await opened).close()
    },
  }
}
