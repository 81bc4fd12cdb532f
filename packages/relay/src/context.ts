import type { Logger } from 'pino'
import type { Authenticator } from './auth.js'
import type { CommitQueue } from './commit-queue.js'
import type { HookRunner } from './hooks/runner.js'
import type { RelayMetrics } from './metrics.js'
import type { ResolvedLimits } from './options.js'
import type { Rooms } from './rooms.js'
import type { Webhooks } from './webhooks/index.js'

/** A live socket of either kind, as the relay's heartbeat and shutdown see it. */
export interface LiveConnection {
  readonly kind: 'driftless' | 'ywebsocket'
  /** `performance.now()` of the last frame (or ws pong) received. */
  readonly lastSeen: number
  /** Called by the heartbeat sweep; y-websocket connections send a ws ping. */
  heartbeat(): void
  close(code: number, reason: string): void
  /** Drops the TCP connection without a closing handshake. */
  terminate(): void
}

/** What connections share: the relay's parts. */
export interface RelayContext {
  readonly limits: ResolvedLimits
  readonly logger: Logger
  readonly metrics: RelayMetrics
  readonly rooms: Rooms
  readonly commits: CommitQueue
  readonly auth: Authenticator
  readonly connections: Set<LiveConnection>
  /** The `createRelay({ hooks })` calls; a delete path calls `hooks.deleted(docId)` once it committed. */
  readonly hooks: HookRunner
  /** Durable webhooks, when configured; a delete writes `webhooks.deletedEntries(docId)` in its transaction. */
  readonly webhooks: Webhooks | null
  /** True once shutdown started: connections stop taking messages. */
  closing: boolean
}
