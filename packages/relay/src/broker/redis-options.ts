import type { RelayStorage } from '../storage/types.js'
import type { RelayBroker } from './types.js'

/** Where the broker reports what it skips or retries; a pino logger fits. */
export interface RedisBrokerLogger {
  warn(details: object, message: string): void
}

/** Options of the `redis` broker. */
export interface RedisBrokerOptions {
  /** e.g. `redis://:password@redis.internal:6379/0` (`rediss://` for TLS). */
  url: string
  /** Marks this node's entries, which it skips when reading. Must differ per node. @default 8 random characters */
  nodeId?: string
  /** Prefix of the per-document stream keys. @default 'driftless:doc:' */
  keyPrefix?: string
  /**
   * Tells whether a received payload is a well-formed Yjs update; entries it refuses are logged and skipped.
   * @default the relay's own check of client updates (`isValidUpdate`)
   */
  isValidUpdate?: (update: Uint8Array) => boolean
  /**
   * On subscribe, entries this much older than the stream's newest are delivered too: an update another
   * node published just before, but committed just after this node loaded the document, is then not missed.
   * @default 2000
   */
  replayMs?: number
  /**
   * `markDurable` keeps entries this much older than the durable point, so a node that lags (or whose
   * connection to Redis is back after a blip) can still read them.
   * @default 60_000
   */
  trimMarginMs?: number
  /** Cap on entries per stream (approximate), in case `markDurable` is never called. @default 10_000 */
  maxStreamLength?: number
  /**
   * A stream not written for this long expires (its entries are all in storage anyway). The expiry is renewed
   * by publishes, at most once per tenth of it per document.
   * @default 86_400_000
   */
  streamTtlMs?: number
  /**
   * This node's entries of the last this-many ms are kept in memory and published again if Redis restarts
   * without them (a crash loses up to about a second with `appendfsync everysec`).
   * @default 5000
   */
  republishWindowMs?: number
  /** How long one XREAD blocks. @default 5000 */
  blockMs?: number
  /**
   * Publishes waiting for Redis (while it is unreachable) beyond this many are refused at once, so an
   * outage does not grow memory without bound.
   * @default 10_000
   */
  maxPendingPublishes?: number
  /**
   * Where to reload a document from when this node missed stream entries (they were trimmed while it was
   * disconnected or lagging): its stored state is then delivered as one update. Without it, the clients of
   * this node get the missed updates at their next resync.
   */
  storage?: Pick<RelayStorage, 'load'>
  /** @default console */
  logger?: RedisBrokerLogger
}

/** The redis broker, with what tests and metrics may read. */
export interface RedisBroker extends RelayBroker {
  readonly nodeId: string
  /** The Redis key of a document's stream. */
  streamKey(docId: string): string
}
