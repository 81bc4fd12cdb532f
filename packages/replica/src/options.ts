import type { BackoffOptions } from './connection/backoff.js'
import type { HeartbeatOptions } from './connection/heartbeat.js'
import type { TokenSource, WebSocketConstructor } from './connection/socket.js'
import type { StorageAdapter } from './storage/types.js'

/** Options of `openReplica`. */
export interface ReplicaOptions {
  /** The document's id on the relay and in local storage (1–512 bytes of UTF-8). */
  docId: string
  /** Relay URL, or several relay nodes' URLs (the next one is tried on failure). Omit for a local-only replica. */
  relay?: string | readonly string[]
  /** Token sent in `hello`: a string, or a function called on each connect and before the token expires. */
  token?: TokenSource
  /**
   * Where to keep the document: `'indexeddb'`, `'memory'` (nothing survives the page), or your own adapter.
   * @default 'indexeddb' where IndexedDB exists, else 'memory'
   */
  storage?: 'indexeddb' | 'memory' | StorageAdapter
  /**
   * IndexedDB transaction durability. 'strict' resolves a write once it is flushed to disk; 'relaxed' once the
   * browser has it (an OS crash or power loss may lose the last writes; a tab crash does not).
   * @default 'strict'
   */
  durability?: 'strict' | 'relaxed'
  /** IndexedDB database name, shared by every tab and document of the origin. @default 'driftless' */
  databaseName?: string
  /** The WebSocket constructor (Node: `import WebSocket from 'ws'`). @default globalThis.WebSocket */
  WebSocket?: WebSocketConstructor
  /**
   * Share changes, presence and one relay connection with the other tabs of the origin (BroadcastChannel +
   * Web Locks). Ignored where either is missing: each replica then connects on its own.
   * @default true
   */
  crossTab?: boolean
  /** Prefix of BroadcastChannel and Web Lock names; give each app (or each test) its own. @default 'driftless' */
  channelPrefix?: string
  /** Connect to the relay once loaded. When false, call `connect()`. @default true */
  autoConnect?: boolean
  /** Reconnection backoff (full jitter). @default { baseMs: 250, capMs: 10000 } */
  backoff?: BackoffOptions
  /** Heartbeat. @default { idleMs: 3000, timeoutMs: 9000 } */
  heartbeat?: HeartbeatOptions
  /** Refresh a function token this long before it expires, in ms. @default 30000 */
  refreshBeforeMs?: number
  /** Merge the local update log into one row once it has more rows than this. @default 500 */
  compactAfter?: number
  /**
   * What to do with the local copy when the relay says the document was deleted (`deleted` event): `'clear'`
   * removes it from local storage (log and pending changes); `'keep'` leaves the stored document (pending
   * changes are dropped either way: the relay would refuse them).
   * @default 'clear'
   */
  onDeleted?: 'clear' | 'keep'
}

export const relayUrls = (relay: ReplicaOptions['relay']): string[] =>
  relay === undefined ? [] : typeof relay === 'string' ? [relay] : [...relay]
