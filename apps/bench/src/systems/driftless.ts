import type * as Y from 'yjs'
import WebSocket from 'ws'
import { waitUntil } from '@driftless/testkit/support'
import { withTimeout } from '../wait.js'
import type { ClientSystem, SyncClient } from './types.js'

/** The part of @driftless/replica's public API the harness uses (see DESIGN.md). */
interface Replica {
  doc: Y.Doc
  loaded: Promise<unknown>
  pending: number | boolean
  status: string
  whenSaved(): Promise<void>
  whenSynced(): Promise<void>
  disconnect(): void
  connect(): void
  close(): Promise<void>
}
interface ReplicaModule {
  openReplica(options: { docId: string; relay?: string | readonly string[]; storage: 'memory' | 'indexeddb'; WebSocket?: unknown; crossTab?: boolean }): Replica
}

const SYNC_TIMEOUT_MS = 120_000
let replicaModule: Promise<ReplicaModule> | undefined

/** Loads @driftless/replica's build; rejects with the reason when it is not there yet. */
export const loadReplica = (): Promise<ReplicaModule> => {
  // A computed specifier: the harness must type-check and run while the package is still being written.
  const specifier = '@driftless/replica'
  replicaModule ??= import(specifier).then((mod: unknown) => {
    if (typeof (mod as Partial<ReplicaModule>).openReplica !== 'function') throw new Error('@driftless/replica has no openReplica yet')
    return mod as ReplicaModule
  })
  return replicaModule
}

/** Driftless replicas (memory storage) against the Driftless relay. Call loadReplica() first. */
export const driftlessClients = (mod: ReplicaModule): ClientSystem => ({
  name: 'driftless',
  open(url, docId, options): SyncClient {
    // Clients in one process are separate devices here, as y-websocket's are with disableBc.
    const relay = options?.failover?.length ? [url, ...options.failover] : url
    const replica = mod.openReplica({ docId, relay, storage: 'memory', WebSocket: options?.WebSocket ?? WebSocket, crossTab: false })
    let connected: Promise<void> | undefined
    return {
      get doc() { return replica.doc },
      // whenSynced() alone may resolve before the relay's state arrived when nothing local is pending.
      whenConnected: () => {
        connected ??= waitUntil(() => replica.status === 'synced', SYNC_TIMEOUT_MS, `driftless ${docId} sync`, { intervalMs: 5 })
        return connected
      },
      whenSynced: () => withTimeout(`driftless ${docId} synced`, replica.whenSynced(), SYNC_TIMEOUT_MS),
      disconnect: () => replica.disconnect(),
      connect: () => replica.connect(),
      close: () => replica.close(),
    }
  },
})
