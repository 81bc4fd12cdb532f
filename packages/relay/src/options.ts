import type { KeyObject, webcrypto } from 'node:crypto'
import type { IncomingMessage } from 'node:http'
import type { Logger, LevelWithSilent } from 'pino'
import type { AdminOptions } from './admin/index.js'
import { DEFAULT_AWARENESS_LIMITS, type AwarenessLimits } from './awareness.js'
import type { RedisBrokerOptions } from './broker/redis.js'
import type { RelayBroker } from './broker/types.js'
import type { HookOptions, RelayHooks } from './hooks/types.js'
import type { StorageOption } from './storage/index.js'
import type { VersionOptions } from './versions/options.js'
import type { WebhookDeliveryOptions } from './webhooks/options.js'

/** What a token grants on one document. */
export type Access = 'write' | 'read' | 'deny'

/** What the `authorize` hook is told. */
export interface AuthorizeContext {
  /** The token the client presented (`hello`/`auth`, or `?token=` for y-websocket clients); `''` when none. */
  token: string
  docId: string
  /** The HTTP upgrade request of the connection (headers, URL, remote address). */
  request: IncomingMessage
}

/** How clients prove what they may open. Without any, the relay is open to everyone (and says so in its log). */
export interface AuthOptions {
  /**
   * HS256 secret: tokens are JWTs whose `docs` claim grants documents (see `DocsClaim`) and whose `exp`
   * claim (Unix seconds) ends the grant.
   */
  secret?: string | Uint8Array
  /** Verify RS256/ES256/EdDSA JWTs with this public key (PEM SPKI string, or a KeyObject/CryptoKey). */
  publicKey?: string | webcrypto.CryptoKey | KeyObject
  /** Verify JWTs against a JSON Web Key Set fetched from this URL. */
  jwksUrl?: string
  /** Required `iss` claim, when set. */
  issuer?: string
  /** Required `aud` claim, when set. */
  audience?: string
  /**
   * Decides access per document instead of (not in addition to) JWT verification. May be async. Called on
   * `subscribe`, for y-websocket clients before the upgrade, and again for every open document after `auth`.
   */
  authorize?: (context: AuthorizeContext) => Access | Promise<Access>
  /**
   * Whether a `read` grant may send awareness (presence, cursors). Awareness is never stored.
   * @default true
   */
  readersMaySendAwareness?: boolean
  /**
   * After telling a client its token expired, how long it has to send a fresh one with `auth` before the
   * relay closes the connection with 4002.
   * @default 5000
   */
  tokenGraceMs?: number
}

/** Which built-in broker to use, or a ready `RelayBroker`. */
export type BrokerOption = { kind: 'local' } | ({ kind: 'redis' } & RedisBrokerOptions) | RelayBroker

/** Options of `createRelay`; version history options are in `VersionOptions`. */
export interface RelayOptions extends HookOptions, VersionOptions {
  /** Port to listen on; 0 picks a free one (read it from `relay.port`). @default 8787 */
  port?: number
  /** Interface to bind. @default '127.0.0.1' */
  host?: string
  /** Where documents are stored. @default { kind: 'sqlite', path: '.driftless/relay.db' } */
  storage?: StorageOption
  /**
   * Fan-out between relay nodes: `{ kind: 'redis', url }` (see docs/scale-out.md), or a ready `RelayBroker`.
   * @default a local broker (one node, no fan-out)
   */
  broker?: BrokerOption
  /** Token verification. @default none: every client may read and write every document */
  auth?: AuthOptions
  /**
   * The admin HTTP API (`/v1/docs…`, see the README): a static bearer token, and/or JWTs verified by `auth`
   * carrying `"admin": true`. @default only admin JWTs, when `auth` verifies JWTs; else off (404)
   */
  admin?: AdminOptions
  /**
   * Browser origins allowed to connect (exact `Origin` header values); others get HTTP 403 before the upgrade.
   * Requests without an `Origin` header (non-browser clients) are not affected.
   * @default every origin
   */
  allowedOrigins?: readonly string[]
  /** Largest frame accepted; larger ones close the socket with 1009. @default 16 MiB */
  maxMessageBytes?: number
  /** Documents one connection may have open at once. @default 1000 */
  maxDocumentsPerConnection?: number
  /** Sustained messages per second per connection (token bucket; bursts up to this many). @default 1000 */
  maxMessagesPerSecond?: number
  /**
   * Bounds on presence (awareness) per document; states beyond them are refused with `awarenessLimit`.
   * @default { maxStateBytes: 8192, maxStatesPerConnection: 16, maxStatesPerDocument: 512, maxSnapshotBytes: 262144, timeoutMs: 30000 }
   */
  awareness?: Partial<AwarenessLimits>
  /** Concurrent websocket connections; more are closed with 1013. @default 10000 */
  maxConnections?: number
  /** Bytes queued for one slow client before it is closed with 4004. @default 16 MiB */
  maxBufferedBytes?: number
  /** A connection silent for longer than this is closed with 4006. @default 30000 */
  heartbeatTimeoutMs?: number
  /** How long a document without subscribers stays in memory. @default 30000 */
  documentIdleMs?: number
  /**
   * Compact a document's stored log once it holds this many rows; a large document (≥ 16 KiB) waits until the new rows
   * hold half its compacted size, or for 25× this many rows. @default 200
   */
  compactAfterRows?: number
  /** …or once this many bytes were appended since the last compaction. @default 4 MiB */
  compactAfterBytes?: number
  /** A pino logger to use. @default a pino logger to stdout at `logLevel` */
  logger?: Logger
  /** Level of the default logger. @default 'info' */
  logLevel?: LevelWithSilent
  /** In-process hooks (see `RelayHooks`); tuned by the `HookOptions` fields. @default none */
  hooks?: RelayHooks
  /**
   * URLs that receive `document.changed` / `document.deleted` events (POST, JSON), at least once, from an
   * outbox in storage. @default none
   */
  webhookUrls?: readonly string[]
  /** Key of the HMAC-SHA256 signature in `x-driftless-signature`. @default none: requests are unsigned (and the relay warns) */
  webhookSecret?: string
  /** A document's `document.changed` is sent at most once per this many ms (its first change opens the window). @default 1000 */
  webhookDebounceMs?: number
  /** Retries, timeouts and polling of webhook delivery. */
  webhookDelivery?: WebhookDeliveryOptions
}

/** Options with every default filled in. */
export interface ResolvedLimits {
  maxMessageBytes: number
  maxDocumentsPerConnection: number
  maxMessagesPerSecond: number
  maxConnections: number
  maxBufferedBytes: number
  heartbeatTimeoutMs: number
  documentIdleMs: number
  compactAfterRows: number
  compactAfterBytes: number
  tokenGraceMs: number
  readersMaySendAwareness: boolean
  awareness: AwarenessLimits
}

const MiB = 1024 * 1024

export const DEFAULT_PORT = 8787
export const DEFAULT_HOST = '127.0.0.1'

export const resolveLimits = (options: RelayOptions): ResolvedLimits => ({
  maxMessageBytes: options.maxMessageBytes ?? 16 * MiB,
  maxDocumentsPerConnection: options.maxDocumentsPerConnection ?? 1000,
  maxMessagesPerSecond: options.maxMessagesPerSecond ?? 1000,
  maxConnections: options.maxConnections ?? 10_000,
  maxBufferedBytes: options.maxBufferedBytes ?? 16 * MiB,
  heartbeatTimeoutMs: options.heartbeatTimeoutMs ?? 30_000,
  documentIdleMs: options.documentIdleMs ?? 30_000,
  compactAfterRows: options.compactAfterRows ?? 200,
  compactAfterBytes: options.compactAfterBytes ?? 4 * MiB,
  tokenGraceMs: options.auth?.tokenGraceMs ?? 5000,
  readersMaySendAwareness: options.auth?.readersMaySendAwareness ?? true,
  awareness: { ...DEFAULT_AWARENESS_LIMITS, ...options.awareness },
})
