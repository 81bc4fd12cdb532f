import { createServer, type IncomingMessage } from 'node:http'
import type { AddressInfo } from 'node:net'
import type { Duplex } from 'node:stream'
import { pino } from 'pino'
import { WebSocketServer, type WebSocket } from 'ws'
import { CloseCode, MAX_DOC_ID_BYTES } from '@driftless/protocol'
import { createAdminApi } from './admin/index.js'
import { Authenticator } from './auth.js'
import { createLocalBroker } from './broker/local.js'
import { createRedisBroker } from './broker/redis.js'
import { CommitQueue } from './commit-queue.js'
import { Compactor } from './compaction.js'
import { DriftlessConnection } from './connection.js'
import type { LiveConnection, RelayContext } from './context.js'
import { HookRunner } from './hooks/runner.js'
import { SEED_ORIGIN } from './hooks/connection.js'
import { handleHttp, refuseUpgrade } from './http.js'
import { DocumentLifecycle } from './lifecycle.js'
import { RelayMetrics } from './metrics.js'
import { DEFAULT_HOST, DEFAULT_PORT, resolveLimits, type RelayOptions } from './options.js'
import { Rooms } from './rooms.js'
import { createStorage } from './storage/index.js'
import { resolveWebhookConfig, Webhooks } from './webhooks/index.js'
import { YWebsocketConnection } from './ywebsocket.js'
import { resolveVersionOptions } from './versions/options.js'
import { VersionScheduler } from './versions/scheduler.js'
import { VersionService } from './versions/service.js'

/** Counts for diagnostics and tests (leak checks). */
export interface RelayStats {
  connections: number
  openDocuments: number
  /** Open documents waiting out `documentIdleMs` without subscribers. */
  idleDocuments: number
  /** Updates accepted but not yet committed. */
  pendingCommits: number
  /** Documents whose stored log size the compactor tracks. */
  trackedLogs: number
}

/** A running relay. */
export interface Relay {
  /** `ws://host:port`: what clients connect to. */
  readonly url: string
  readonly port: number
  /** Version history of the relay's documents: list, take, read and restore versions from the server side. */
  readonly versions: VersionService
  /** The prom-client registry behind `GET /metrics`. */
  readonly metrics: RelayMetrics['registry']
  stats(): RelayStats
  /**
   * Deletes a document on every node (what `DELETE /v1/docs/:id` does): its stored rows go, a tombstone
   * refuses every later subscribe and update, subscribers get `documentDeleted`. Resolves once committed.
   */
  deleteDocument(docId: string): Promise<void>
  /** Undeletes a document (it starts empty); false when it was not deleted. */
  restoreDocument(docId: string): Promise<boolean>
  /**
   * Graceful shutdown: stops accepting connections, commits (and acks) every accepted update, closes
   * sockets with 1001, then closes storage and broker if the relay created them.
   */
  close(): Promise<void>
}

const DRIFTLESS_SUBPROTOCOL = 'driftless'
const CLOSE_WAIT_MS = 2000
/** How long shutdown waits for hook calls still running. */
const HOOK_DRAIN_MS = 2000

/** Starts a relay. Resolves once it listens. */
export const createRelay = async (options: RelayOptions = {}): Promise<Relay> => {
  const limits = resolveLimits(options)
  const logger = options.logger ?? pino({ level: options.logLevel ?? 'info' })
  const storageOption = options.storage ?? { kind: 'sqlite', path: '.driftless/relay.db' }
  const storage = createStorage(storageOption)
  const ownsStorage = storage !== storageOption
  const brokerOption = options.broker ?? { kind: 'local' }
  const broker = !('kind' in brokerOption) ? brokerOption
    : brokerOption.kind === 'redis' ? createRedisBroker({ storage, logger: logger.child({ component: 'broker' }), ...brokerOption })
      : createLocalBroker()
  const ownsBroker = broker !== brokerOption
  const auth = new Authenticator(options.auth)
  const connections = new Set<LiveConnection>()
  const metrics = new RelayMetrics({
    connections() {
      let driftless = 0
      for (const connection of connections) if (connection.kind === 'driftless') driftless++
      return { driftless, ywebsocket: connections.size - driftless }
    },
    // Read at scrape time only, after `rooms` exists.
    openDocuments: () => rooms.size,
  })
  const compactor = new Compactor(storage, { ...limits, onCompacted: () => metrics.compacted() }, logger)
  const markDurable = (writes: readonly { docId: string }[]): void => {
    if (broker.markDurable === undefined) return
    // Only once nothing of the document waits for a commit is "everything published so far" durable.
    for (const docId of new Set(writes.map(write => write.docId))) {
      if (commits.hasPending(docId)) continue
      broker.markDurable(docId).catch((error: unknown) => logger.warn({ err: error, docId }, 'broker markDurable failed'))
    }
  }
  const webhooks = options.webhookUrls === undefined || options.webhookUrls.length === 0 ? null
    : new Webhooks(storage, resolveWebhookConfig(options.webhookUrls, options.webhookSecret, options.webhookDebounceMs, options.webhookDelivery),
      metrics.registry, logger.child({ component: 'webhooks' }))
  const hooks = new HookRunner(options.hooks ?? {}, options, {
    logger,
    commitSeed: (docId, update) => new Promise<void>((resolve, reject) => {
      commits.enqueue(docId, update, { committed: () => resolve(), commitFailed: (_doc, _ack, error) => reject(error) }, 1, SEED_ORIGIN)
    }),
  })
  const commits: CommitQueue = new CommitQueue(webhooks?.commitStorage ?? storage, {
    onCommitted: (writes, rows) => {
      rooms.fanOutNow(rows)
      compactor.committed(rows)
      markDurable(writes)
      hooks.committed(writes)
      versionScheduler.committed(writes)
    },
    onCommitDuration: (seconds, updates) => metrics.committed(seconds, updates),
  }, logger)
  const rooms: Rooms = new Rooms({
    storage, broker, commits, logger, idleMs: limits.documentIdleMs, awareness: limits.awareness,
    onLoaded: (docId, rows) => compactor.loaded(docId, rows),
    onEvicted: docId => {
      compactor.forget(docId)
      hooks.idle(docId)
    },
    seed: docId => hooks.seed(docId),
    onJoined: (docId, subscriber) => hooks.subscribed(docId, subscriber),
    onLeft: (docId, subscriber) => hooks.unsubscribed(docId, subscriber),
  })
  const versionOptions = resolveVersionOptions(options)
  const versions = new VersionService(storage, rooms, versionOptions, logger.child({ component: 'versions' }))
  const versionScheduler = new VersionScheduler(versions, versionOptions, logger)
  const ctx: RelayContext = { limits, logger, metrics, rooms, commits, auth, connections, versions, hooks, webhooks, closing: false }
  if (!auth.enabled) logger.warn('no auth configured: every client may read and write every document')

  const lifecycle = new DocumentLifecycle({ storage, broker, rooms, logger, hooks, webhooks })
  const admin = createAdminApi(options.admin ?? {}, {
    storage, rooms, versions, auth, logger,
    maxBodyBytes: options.admin?.maxBodyBytes ?? limits.maxMessageBytes,
    deleteDocument: docId => lifecycle.deleteDocument(docId),
    restoreDocument: docId => lifecycle.restoreDocument(docId),
    isClosing: () => ctx.closing,
  })
  const server = createServer(handleHttp(storage, metrics, () => ctx.closing, admin))
  const wss = new WebSocketServer({
    noServer: true,
    maxPayload: limits.maxMessageBytes,
    perMessageDeflate: false,
    // `connections` tracks every admitted socket; ws's own set would add an entry and a listener to each.
    clientTracking: false,
    handleProtocols: protocols => (protocols.has(DRIFTLESS_SUBPROTOCOL) ? DRIFTLESS_SUBPROTOCOL : false),
  })
  wss.on('error', error => logger.error({ err: error }, 'websocket server error'))

  const admit = (ws: WebSocket, make: () => LiveConnection): void => {
    if (connections.size >= limits.maxConnections) {
      ws.on('error', () => {})
      metrics.rejected('maxConnections')
      ws.close(CloseCode.tryAgainLater, 'too many connections')
      return
    }
    connections.add(make())
  }

  const upgradeYWebsocket = async (request: IncomingMessage, socket: Duplex, head: Buffer, url: URL): Promise<void> => {
    let docId: string
    try {
      docId = decodeURIComponent(url.pathname.slice(1))
    } catch {
      return refuseUpgrade(socket, 400, 'Bad Request')
    }
    const length = Buffer.byteLength(docId)
    if (length === 0 || length > MAX_DOC_ID_BYTES) return refuseUpgrade(socket, 400, 'Bad Request')
    const verified = await auth.verify(url.searchParams.get('token') ?? '')
    if (!verified.ok) return refuseUpgrade(socket, 401, 'Unauthorized')
    const access = await auth.access(verified.grant, docId, request)
    if (access === 'deny') return refuseUpgrade(socket, 403, 'Forbidden')
    if (ctx.closing) return refuseUpgrade(socket, 503, 'Service Unavailable')
    wss.handleUpgrade(request, socket, head, ws => {
      admit(ws, () => new YWebsocketConnection(ws, docId, access, verified.grant.expiresAt, ctx, verified.grant.subject))
    })
  }

  // Made once, outside the upgrade handler: a listener made inside it would share the handler's closure
  // context, and with it keep every connection's upgrade request alive as long as its socket.
  const logUpgradeSocketError = (error: Error): void => logger.debug({ err: error }, 'upgrade socket error')
  server.on('upgrade', (request: IncomingMessage, socket: Duplex, head: Buffer) => {
    socket.on('error', logUpgradeSocketError)
    if (ctx.closing) return refuseUpgrade(socket, 503, 'Service Unavailable')
    const origin = request.headers.origin
    if (origin !== undefined && options.allowedOrigins !== undefined && !options.allowedOrigins.includes(origin)) {
      metrics.rejected('origin')
      return refuseUpgrade(socket, 403, 'Forbidden')
    }
    const protocols = (request.headers['sec-websocket-protocol'] ?? '').split(',').map(p => p.trim())
    if (protocols.includes(DRIFTLESS_SUBPROTOCOL)) {
      wss.handleUpgrade(request, socket, head, ws => admit(ws, () => new DriftlessConnection(ws, request, ctx)))
      return
    }
    const url = new URL(request.url ?? '/', 'http://relay')
    upgradeYWebsocket(request, socket, head, url).catch((error: unknown) => {
      logger.error({ err: error }, 'y-websocket upgrade failed')
      refuseUpgrade(socket, 500, 'Internal Server Error')
    })
  })

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject)
    server.listen(options.port ?? DEFAULT_PORT, options.host ?? DEFAULT_HOST, () => {
      server.off('error', reject)
      resolve()
    })
  })
  server.on('error', error => logger.error({ err: error }, 'http server error'))
  const address = server.address() as AddressInfo
  const host = address.family === 'IPv6' ? `[${address.address}]` : address.address

  // One timer for every connection's heartbeat and every document's presence, not one per socket or state.
  const sweep = setInterval(() => {
    const now = performance.now()
    const deadline = now - limits.heartbeatTimeoutMs
    for (const connection of connections) {
      if (connection.lastSeen < deadline) connection.close(CloseCode.heartbeatTimeout, 'heartbeat timeout')
      else connection.heartbeat()
    }
    rooms.sweepAwareness(now)
  }, Math.max(50, Math.min(5000, limits.heartbeatTimeoutMs / 3, limits.awareness.timeoutMs / 3)))
  sweep.unref()

  let closed: Promise<void> | null = null
  const shutdown = async (): Promise<void> => {
    ctx.closing = true
    clearInterval(sweep)
    const serverClosed = new Promise<void>(resolve => server.close(() => resolve()))
    commits.stopRetrying()
    versionScheduler.stop()
    await versions.settle()
    await versions.close()
    await commits.drain()
    await closeAll(connections, CLOSE_WAIT_MS)
    wss.close()
    await compactor.stop()
    rooms.closeAll()
    server.closeAllConnections()
    await serverClosed
    await hooks.close(HOOK_DRAIN_MS)
    await webhooks?.close()
    if (ownsStorage) await storage.close()
    if (ownsBroker) await broker.close()
    logger.info('relay closed')
  }

  return {
    url: `ws://${host}:${address.port}`,
    port: address.port,
    versions,
    metrics: metrics.registry,
    stats: () => ({
      connections: connections.size,
      openDocuments: rooms.size,
      idleDocuments: rooms.idleCount,
      pendingCommits: commits.size,
      trackedLogs: compactor.tracked,
    }),
    deleteDocument: docId => lifecycle.deleteDocument(docId),
    restoreDocument: docId => lifecycle.restoreDocument(docId),
    close: () => (closed ??= shutdown()),
  }
}

/** Closes every socket with 1001 and waits for them to go (forcing the stragglers after `waitMs`). */
const closeAll = async (connections: Set<LiveConnection>, waitMs: number): Promise<void> => {
  for (const connection of connections) connection.close(CloseCode.goingAway, 'relay shutting down')
  const started = performance.now()
  while (connections.size > 0 && performance.now() - started < waitMs) {
    await new Promise(resolve => setTimeout(resolve, 10))
  }
  for (const connection of connections) connection.terminate()
}
