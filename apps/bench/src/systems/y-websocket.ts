import * as Y from 'yjs'
import WebSocket from 'ws'
import { WebsocketProvider } from 'y-websocket'
import { waitUntil } from '@driftless/testkit/support'
import type { ClientSystem, SyncClient } from './types.js'

const SYNC_TIMEOUT_MS = 120_000

/** y-websocket's client (WebsocketProvider) against the @y/websocket-server. */
export const yWebsocketClients: ClientSystem = {
  name: 'y-websocket',
  open(url, docId, options): SyncClient {
    const doc = new Y.Doc()
    // Without disableBc, providers in one process talk over BroadcastChannel and bypass the server.
    const provider = new WebsocketProvider(url, docId, doc, {
      WebSocketPolyfill: (options?.WebSocket ?? WebSocket) as never,
      disableBc: true,
      maxBackoffTime: 500,
    })
    const nothingBuffered = (): boolean => (provider.ws?.bufferedAmount ?? 0) === 0
    return {
      doc,
      whenConnected: () => waitUntil(() => provider.synced, SYNC_TIMEOUT_MS, `y-websocket ${docId} sync`, { intervalMs: 5 }),
      whenSynced: () => waitUntil(() => provider.synced && nothingBuffered(), SYNC_TIMEOUT_MS, `y-websocket ${docId} synced`, { intervalMs: 5 }),
      disconnect: () => provider.disconnect(),
      connect: () => provider.connect(),
      close: async () => {
        provider.destroy()
        doc.destroy()
      },
    }
  },
}
