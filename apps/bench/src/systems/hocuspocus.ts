import * as Y from 'yjs'
import WebSocket from 'ws'
import { HocuspocusProvider, HocuspocusProviderWebsocket } from '@hocuspocus/provider'
import { waitUntil } from '@driftless/testkit/support'
import type { ClientSystem, SyncClient } from './types.js'

const SYNC_TIMEOUT_MS = 120_000

/** Hocuspocus's provider, one socket per client, against a Hocuspocus server. */
export const hocuspocusClients: ClientSystem = {
  name: 'hocuspocus',
  open(url, docId, options): SyncClient {
    const doc = new Y.Doc()
    const socket = new HocuspocusProviderWebsocket({ url, WebSocketPolyfill: options?.WebSocket ?? WebSocket, maxDelay: 500 })
    const provider = new HocuspocusProvider({ websocketProvider: socket, name: docId, document: doc })
    provider.attach()
    return {
      doc,
      whenConnected: () => waitUntil(() => provider.isSynced, SYNC_TIMEOUT_MS, `hocuspocus ${docId} sync`, { intervalMs: 5 }),
      whenSynced: () =>
        waitUntil(() => provider.isSynced && provider.unsyncedChanges === 0, SYNC_TIMEOUT_MS, `hocuspocus ${docId} synced`, { intervalMs: 5 }),
      disconnect: () => socket.disconnect(),
      connect: () => { void socket.connect().catch(() => undefined) },
      close: async () => {
        provider.destroy()
        socket.destroy()
        doc.destroy()
      },
    }
  },
}
