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

/** Per-client options of `ClientSystem.open`. */
export interface ClientOptions {
  /** The websocket class, e.g. one that counts bytes. @default ws's WebSocket */
  WebSocket?: typeof WebSocket
  /** Driftless only: more relay nodes to fail over to, tried in order after `url`. Other systems ignore it. @default [] */
  failover?: readonly string[]
}

/** How to open clients of a system in Node. */
export interface ClientSystem {
  name: ServerKind
  open(url: string, docId: string, options?: ClientOptions): SyncClient
}
