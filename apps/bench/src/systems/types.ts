import type * as Y from 'yjs'
import type WebSocket from 'ws'
import type { ServerKind } from '../proc/server-process.js'

/** One client of a document, in the harness process. */
export interface SyncClient {
  doc: Y.Doc
  /** Resolves once the first sync with the server is done. */
  whenConnected(): Promise<void>
  /**
   * Resolves once the system itself says every local change reached the server: y-websocket: provider
   * synced and nothing buffered on the socket; Hocuspocus: synced with unsyncedChanges 0; Driftless: whenSynced().
   */
  whenSynced(): Promise<void>
  /** Cuts the connection (keeps the document). */
  disconnect(): void
  /** Reconnects after disconnect(). */
  connect(): void
  close(): Promise<void>
}

/** How to open clients of a system in Node. */
export interface ClientSystem {
  name: ServerKind
  open(url: string, docId: string, options?: { WebSocket?: typeof WebSocket }): SyncClient
}
