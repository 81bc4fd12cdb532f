import { join } from 'node:path'
import { HandlerScope, openEventLog, type EventLog } from '@driftless/events'
import { sqliteCheckpoints } from '@driftless/events/sqlite'
import { openReplica, type Replica, type ReplicaOptions } from '@driftless/replica'
import { createSqliteStorage } from '@driftless/replica/sqlite'
import { orderPlaced } from './orders.js'

/** Options of `startWorker`. */
export interface WorkerOptions {
  /** The relay's URL. */
  relay: string
  /** The document holding the orders' events. */
  docId: string
  /** Where the replica and the handler's checkpoints live (`<dataDir>/replica.db`). One worker per directory. */
  dataDir: string
  /** The mail service: receives `POST { idempotencyKey, orderId, email }`. */
  mailUrl: string
  /** The WebSocket constructor (`ws`). */
  WebSocket: NonNullable<ReplicaOptions['WebSocket']>
  /** Called after each confirmation the mail service accepted. */
  onSent?: (idempotencyKey: string) => void
}

export interface Worker {
  readonly replica: Replica
  readonly log: EventLog
  close(): Promise<void>
}

/** The handler's name: part of every idempotency key (`sendConfirmation:<eventId>`), so never rename it. */
export const HANDLER = 'sendConfirmation'

/**
 * Runs the "send the order confirmation" handler once globally: in this one server-side replica, on
 * stable events only (a compensated or rejected order never sends mail), with its checkpoint in the same
 * SQLite file as the replica. The mail service deduplicates on the idempotency key, which covers the one
 * event that can run twice: the one in flight when the process dies, before its checkpoint is saved.
 */
export async function startWorker(options: WorkerOptions): Promise<Worker> {
  const path = join(options.dataDir, 'replica.db')
  const storage = createSqliteStorage({ path })
  const replica = openReplica({ docId: options.docId, relay: options.relay, storage, WebSocket: options.WebSocket, crossTab: false })
  await replica.loaded
  const checkpoints = sqliteCheckpoints({ path, name: options.docId })
  const log = await openEventLog(replica, { events: [orderPlaced], checkpoints })
  // One process per data directory: any other open stream of this device is a session that died (kill -9)
  // and would hold the watermark, so stable-only handling would stop. Its stored entries are all here.
  log.retireDevice(log.deviceId)
  let closing = false
  log.handle(HANDLER, {
    scope: HandlerScope.StableOnly,
    events: [orderPlaced],
    run: async (event, { idempotencyKey }) => {
      // Retried here rather than thrown: a throw would wait for the next change of the document.
      for (let attempt = 0; !closing; attempt++) {
        const response = await fetch(options.mailUrl, {
          method: 'POST',
          headers: { 'content-type': 'application/json', 'idempotency-key': idempotencyKey },
          body: JSON.stringify({ idempotencyKey, orderId: event.data.orderId, email: event.data.email }),
        }).catch(() => null)
        if (response?.ok) {
          options.onSent?.(idempotencyKey)
          return
        }
        await new Promise(resolve => setTimeout(resolve, Math.min(5000, 100 * 2 ** attempt)))
      }
      throw new Error('worker closing')
    },
  })
  return {
    replica,
    log,
    async close() {
      closing = true
      await log.close()
      await replica.close()
      await checkpoints.close()
      await storage.close()
    },
  }
}
