import { randomBytes } from 'node:crypto'
import { setTimeout as delay } from 'node:timers/promises'
import type * as IORedis from 'ioredis'
import type { Redis } from 'ioredis'
import { CONTROL_FIELD, decodeEntry, NODE_FIELD, UPDATE_FIELD } from './redis-entry.js'
import { missedEntries } from './redis-gaps.js'
import { streamIdAt, streamIdBefore } from './redis-ids.js'
import { isValidUpdate as isWellFormedUpdate } from '../validate.js'
import { requireOptional } from '../optional-dependency.js'
import { StreamReader } from './redis-reader.js'
import { RecentPublishes } from './redis-recent.js'
import { BrokerError } from '../adapter-errors.js'
import type { RedisBroker, RedisBrokerLogger, RedisBrokerOptions } from './redis-options.js'
import type { BrokerControl } from './types.js'
import { mergeUpdates } from '../merge-updates.js'

export type { RedisBroker, RedisBrokerLogger, RedisBrokerOptions }

interface DocState {
  handlers: Set<(update: Uint8Array) => void>
  controlHandlers: Set<(control: BrokerControl) => void>
  /** Resolves once the stream is being read from its starting point. */
  ready: Promise<void>
}

/** How long `close` lets sent publishes finish (QUIT) before it drops the connection. */
const QUIT_WAIT_MS = 1000

const consoleLogger: RedisBrokerLogger = { warn: (details, message) => console.warn(message, details) }

/** The client is loaded on first use: a single-node relay should not carry it in memory (about 7 MiB). */
const loadRedis = (): typeof Redis => requireOptional<typeof IORedis>('ioredis', 'The Redis broker').Redis

/**
 * Fan-out between relay nodes over Redis Streams: one stream per document, entries tagged with the
 * publishing node. Each node reads (one blocking XREAD) only the streams of documents its clients have
 * open, and remembers how far it got, so a disconnect or a Redis restart loses nothing that Redis kept.
 *
 * @example
 * const broker = createRedisBroker({ url: 'redis://127.0.0.1:6379' })
 * const relay = await createRelay({ storage, broker })
 */
export function createRedisBroker(options: RedisBrokerOptions): RedisBroker {
  const nodeId = options.nodeId ?? randomBytes(6).toString('base64url')
  const keyPrefix = options.keyPrefix ?? 'driftless:doc:'
  const isValidUpdate = options.isValidUpdate ?? isWellFormedUpdate
  const replayMs = options.replayMs ?? 2000
  const trimMarginMs = options.trimMarginMs ?? 60_000
  const maxStreamLength = options.maxStreamLength ?? 10_000
  const streamTtlMs = options.streamTtlMs ?? 86_400_000
  const maxPendingPublishes = options.maxPendingPublishes ?? 10_000
  const logger = options.logger ?? consoleLogger
  const streamKey = (docId: string): string => keyPrefix + docId

  // Commands wait for a reconnect instead of failing after a few retries; `maxPendingPublishes` bounds them.
  const connect = (role: string): Redis => {
    const redis = new (loadRedis())(options.url, {
      maxRetriesPerRequest: null,
      connectionName: `driftless-${role}-${nodeId}`,
      retryStrategy: (attempt) => Math.min(50 * 2 ** attempt, 2000),
    })
    redis.on('error', (error: Error) => logger.warn({ role, err: error.message }, 'redis connection error'))
    return redis
  }
  const commands = connect('commands')
  // A read cut by a disconnect is re-sent by ioredis once reconnected, with the ids it had: nothing is skipped.
  const blocking = connect('reader')
  const reader = new StreamReader({
    blocking,
    control: commands,
    blockMs: options.blockMs ?? 5000,
    batch: 512,
    onError: (error) => logger.warn({ err: (error as Error).message }, 'redis stream read failed; retrying'),
    onReconnected: (streams) => {
      void (async () => {
        // One document at a time: after an outage every node checks all its documents at once.
        for (const stream of streams) {
          const docId = stream.key.slice(keyPrefix.length)
          if (await missedEntries(commands, stream.key, stream.lastId)) await recover(docId)
        }
      })().catch((error: unknown) => logger.warn({ err: String(error) }, 'checking for missed broker entries failed'))
    },
  })

  const recent = new RecentPublishes(options.republishWindowMs ?? 5000, maxPendingPublishes)
  let serverRunId: string | undefined
  // Runs before ioredis flushes the commands queued while disconnected, so INFO sees the restored server.
  commands.on('ready', () => {
    commands.info('server').then(async (info) => {
      const runId = /^run_id:(\w+)/m.exec(info)?.[1]
      const restarted = serverRunId !== undefined && runId !== serverRunId
      serverRunId = runId
      if (!restarted) return
      const count = await recent.republishMissing(commands, streamKey, nodeId, (docId, id) => lastPublished.set(docId, id))
      if (count > 0) logger.warn({ count }, 'redis restarted without our latest entries; published them again')
    }).catch((error: unknown) => logger.warn({ err: String(error) }, 'checking for a redis restart failed'))
  })

  const docs = new Map<string, DocState>()
  const lastPublished = new Map<string, string>()
  const expiryRenewedAt = new Map<string, number>()
  const trimmedAt = new Map<string, number>()
  let pendingPublishes = 0
  let closed = false
  const onClose = new Set<(error: Error) => void>()
  /** Settles `command` at the latest on close: ioredis keeps commands queued for a reconnect forever. */
  const untilClosed = <T>(command: Promise<T>): Promise<T> => {
    if (closed) return Promise.reject(new BrokerError('closed', 'broker is closed'))
    return new Promise<T>((resolve, reject) => {
      onClose.add(reject)
      const failed = (error: unknown): void =>
        reject(error instanceof BrokerError ? error : new BrokerError('operationFailed', `redis: ${(error as Error).message}`, { cause: error }))
      command.then(resolve, failed).finally(() => onClose.delete(reject))
    })
  }

  /**
   * Where a new subscription starts reading: just before the newest entry, minus the replay window. Without
   * an answer from Redis (down, or slow), from this node's clock minus the window: opening a document must
   * not wait for Redis.
   */
  const startingPoint = async (key: string): Promise<string> => {
    const fromClock = streamIdAt(Date.now() - replayMs)
    if (commands.status !== 'ready') return fromClock
    try {
      const newest = await Promise.race([
        untilClosed(commands.xrevrange(key, '+', '-', 'COUNT', 1)),
        delay(2000, undefined, { ref: false }),
      ])
      if (newest === undefined) return fromClock
      const id = newest[0]?.[0]
      return id === undefined ? '0-0' : streamIdBefore(id, replayMs)
    } catch {
      return fromClock
    }
  }

  const deliver = (docId: string, id: string, fields: Buffer[]): void => {
    const entry = decodeEntry(fields, isValidUpdate)
    if (!entry.ok) {
      logger.warn({ docId, entryId: id, reason: entry.reason }, 'skipping a malformed broker entry')
      return
    }
    if (entry.nodeId === nodeId) return
    if ('control' in entry) handOverControl(docId, id, entry.control)
    else handOver(docId, id, entry.update)
  }

  const handOverControl = (docId: string, id: string, control: BrokerControl): void => {
    for (const handler of docs.get(docId)?.controlHandlers ?? []) {
      try {
        handler(control)
      } catch (error) {
        logger.warn({ docId, entryId: id, err: String(error) }, 'broker control handler failed')
      }
    }
  }

  const recover = async (docId: string): Promise<void> => {
    if (options.storage === undefined) {
      logger.warn({ docId }, 'missed broker entries (trimmed before they were read); clients get them at their next resync')
      return
    }
    const rows = await options.storage.load(docId)
    logger.warn({ docId, rows: rows.length }, 'missed broker entries; delivering the stored document instead')
    if (rows.length > 0) handOver(docId, 'storage', mergeUpdates(rows.map((row) => row.update)))
  }

  const handOver = (docId: string, id: string, update: Uint8Array): void => {
    for (const handler of docs.get(docId)?.handlers ?? []) {
      try {
        const result: unknown = handler(update)
        if (result instanceof Promise) {
          result.catch((error: unknown) => logger.warn({ docId, entryId: id, err: String(error) }, 'broker update handler failed'))
        }
      } catch (error) {
        logger.warn({ docId, entryId: id, err: String(error) }, 'broker update handler failed')
      }
    }
  }

  return {
    nodeId,
    streamKey,

    async publish(docId, update) {
      if (closed) throw new BrokerError('closed', 'broker is closed')
      if (pendingPublishes >= maxPendingPublishes) {
        throw new BrokerError('backlog', `${pendingPublishes} publishes are waiting for Redis; dropping this one`)
      }
      pendingPublishes++
      try {
        const bytes = Buffer.from(update.buffer, update.byteOffset, update.byteLength)
        const id = await untilClosed(
          commands.xadd(streamKey(docId), 'MAXLEN', '~', maxStreamLength, '*', NODE_FIELD, nodeId, UPDATE_FIELD, bytes),
        )
        if (id !== null) {
          lastPublished.set(docId, id)
          recent.add(docId, id, bytes)
        }
        const now = Date.now()
        if (now - (expiryRenewedAt.get(docId) ?? 0) > streamTtlMs / 10) {
          expiryRenewedAt.set(docId, now)
          await untilClosed(commands.pexpire(streamKey(docId), streamTtlMs))
        }
      } finally {
        pendingPublishes--
      }
    },

    async publishControl(docId, control) {
      if (closed) throw new BrokerError('closed', 'broker is closed')
      const key = streamKey(docId)
      const id = await untilClosed(commands.xadd(key, 'MAXLEN', '~', maxStreamLength, '*', NODE_FIELD, nodeId, CONTROL_FIELD, control))
      // Updates from before a deletion must not be replayed into the document should it be restored.
      if (id !== null && control === 'deleted') await untilClosed(commands.xtrim(key, 'MINID', id))
    },

    async subscribe(docId, onUpdate, onControl) {
      if (closed) throw new BrokerError('closed', 'broker is closed')
      let state = docs.get(docId)
      if (state === undefined) {
        const key = streamKey(docId)
        const created: DocState = {
          handlers: new Set(),
          controlHandlers: new Set(),
          ready: startingPoint(key).then((lastId) => {
            if (docs.get(docId) === created) reader.add({ key, lastId, onEntry: (id, fields) => deliver(docId, id, fields) })
          }),
        }
        state = created
        docs.set(docId, created)
      }
      const current = state
      current.handlers.add(onUpdate)
      if (onControl !== undefined) current.controlHandlers.add(onControl)
      await current.ready
      return () => {
        current.handlers.delete(onUpdate)
        if (onControl !== undefined) current.controlHandlers.delete(onControl)
        if (current.handlers.size === 0 && docs.get(docId) === current) {
          docs.delete(docId)
          lastPublished.delete(docId)
          expiryRenewedAt.delete(docId)
          trimmedAt.delete(docId)
          reader.remove(streamKey(docId))
        }
      }
    },

    async markDurable(docId) {
      const durable = lastPublished.get(docId)
      if (durable === undefined || closed) return
      // Called after every commit; with a margin of a minute, trimming every few seconds is plenty.
      const now = Date.now()
      if (now - (trimmedAt.get(docId) ?? 0) < trimMarginMs / 10) return
      trimmedAt.set(docId, now)
      await untilClosed(commands.xtrim(streamKey(docId), 'MINID', streamIdBefore(durable, trimMarginMs)))
    },

    async close() {
      if (closed) return
      closed = true
      for (const reject of onClose) reject(new BrokerError('closed', 'broker closed before Redis answered'))
      // Disconnecting first fails a read that waits for Redis, so the reader loop can end.
      blocking.disconnect()
      await reader.close()
      // QUIT lets sent publishes finish. Bounded: if Redis goes away meanwhile, ioredis keeps the QUIT queued
      // for a reconnect that may never come, and close must not wait for Redis.
      if (commands.status === 'ready') {
        await Promise.race([commands.quit().catch(() => {}), delay(QUIT_WAIT_MS, undefined, { ref: false })])
      }
      commands.disconnect()
    },
  }
}
