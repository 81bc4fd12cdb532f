import type { Logger } from 'pino'
import type { OutboxEntry, RelayOutbox } from '../storage/outbox-types.js'
import type { WebhookMetrics } from './metrics.js'
import type { WebhookConfig } from './options.js'
import { SIGNATURE_HEADER, signWebhook } from './signature.js'

/** The JSON body of every webhook request. */
export interface WebhookEvent {
  /** Unique per event, the same on every attempt: deduplicate on it. */
  id: string
  type: 'document.changed' | 'document.deleted'
  docId: string
  /** When it happened (for `document.changed`: the first change of the coalesced window), ISO 8601. */
  at: string
}

/** Pause after the outbox could not be read (storage down, SQLite busy). */
const CLAIM_RETRY_MS = 250

/**
 * Sends what the outbox holds: claims due entries, POSTs each, removes it on a 2xx, and otherwise schedules
 * the next attempt with exponential backoff and jitter until the retry horizon. Wakes when told an entry is
 * due, and polls now and then for entries it was not told about (left by a restart or another node).
 */
export class WebhookDispatcher {
  private timer: NodeJS.Timeout | null = null
  private wakeAt = Infinity
  private readonly poll: NodeJS.Timeout
  private readonly inFlight = new Set<Promise<void>>()
  private readonly aborts = new Set<AbortController>()
  private pumping = false
  private closed = false

  constructor(
    private readonly outbox: RelayOutbox,
    private readonly config: WebhookConfig,
    private readonly metrics: WebhookMetrics,
    private readonly logger: Logger,
  ) {
    this.poll = setInterval(() => this.wake(Date.now()), config.pollMs)
    this.poll.unref()
    this.wake(Date.now())
  }

  /** An entry is due at `dueAt` (ms since the epoch). */
  wake(dueAt: number): void {
    if (this.closed || (this.timer !== null && dueAt >= this.wakeAt)) return
    if (this.timer !== null) clearTimeout(this.timer)
    this.wakeAt = dueAt
    this.timer = setTimeout(() => {
      this.timer = null
      this.wakeAt = Infinity
      void this.pump()
    }, Math.max(0, dueAt - Date.now()))
    this.timer.unref()
  }

  /** Stops sending; attempts in flight are cut short (their entries stay in the outbox, to be sent again). */
  async close(): Promise<void> {
    this.closed = true
    clearInterval(this.poll)
    if (this.timer !== null) clearTimeout(this.timer)
    for (const abort of this.aborts) abort.abort()
    await Promise.allSettled([...this.inFlight])
  }

  private async pump(): Promise<void> {
    if (this.pumping || this.closed) return
    this.pumping = true
    try {
      while (!this.closed && this.inFlight.size < this.config.concurrency) {
        const free = this.config.concurrency - this.inFlight.size
        const entries = await this.outbox.claim(Date.now(), free, this.config.leaseMs, this.config.urls)
        if (entries.length === 0) break
        for (const entry of entries) {
          const delivery = this.deliver(entry).catch((error: unknown) => {
            this.logger.error({ err: error, eventId: entry.eventId }, 'webhook bookkeeping failed; the event will be sent again')
          })
          this.inFlight.add(delivery)
          void delivery.finally(() => {
            this.inFlight.delete(delivery)
            this.wake(Date.now())
          })
        }
      }
    } catch (error) {
      this.logger.warn({ err: error }, 'reading the webhook outbox failed; trying again')
      this.wake(Date.now() + CLAIM_RETRY_MS)
    } finally {
      this.pumping = false
    }
  }

  private async deliver(entry: OutboxEntry): Promise<void> {
    const failure = await this.send(entry)
    if (failure === null) {
      this.metrics.count('delivered')
      return this.outbox.remove([entry.id])
    }
    const now = Date.now()
    // Cut short by shutdown: hand the entry back at once rather than let its lease run out.
    if (this.closed) return this.outbox.retry(entry.id, now)
    const delay = this.backoff(entry.attempts)
    if (now + delay - entry.createdAt > this.config.retryHorizonMs) {
      this.metrics.count('dropped')
      this.logger.error({ eventId: entry.eventId, docId: entry.docId, target: entry.target, attempts: entry.attempts, failure },
        'webhook dropped: still failing at the end of its retry horizon')
      return this.outbox.remove([entry.id])
    }
    this.metrics.count('failed')
    this.logger.warn({ eventId: entry.eventId, docId: entry.docId, target: entry.target, attempts: entry.attempts, retryInMs: Math.round(delay), failure },
      'webhook delivery failed; will retry')
    await this.outbox.retry(entry.id, now + delay)
    this.wake(now + delay)
  }

  /** One attempt: `null` on a 2xx, otherwise why not. */
  private async send(entry: OutboxEntry): Promise<string | null> {
    const event: WebhookEvent = { id: entry.eventId, type: entry.type, docId: entry.docId, at: new Date(entry.createdAt).toISOString() }
    const body = JSON.stringify(event)
    const headers: Record<string, string> = { 'content-type': 'application/json', 'x-driftless-event-id': entry.eventId }
    if (this.config.secret !== undefined) headers[SIGNATURE_HEADER] = signWebhook(this.config.secret, body)
    const abort = new AbortController()
    this.aborts.add(abort)
    const timer = setTimeout(() => abort.abort(), this.config.timeoutMs)
    try {
      const response = await fetch(entry.target, { method: 'POST', headers, body, signal: abort.signal, redirect: 'manual' })
      // Read the body to the end so the connection can be reused; its content does not matter.
      await response.arrayBuffer().catch(() => undefined)
      return response.status >= 200 && response.status < 300 ? null : `HTTP ${response.status}`
    } catch (error) {
      return error instanceof Error ? (error.cause instanceof Error ? `${error.message}: ${error.cause.message}` : error.message) : String(error)
    } finally {
      clearTimeout(timer)
      this.aborts.delete(abort)
    }
  }

  /** Exponential, capped, with "equal jitter": between half and all of the step. */
  private backoff(attempts: number): number {
    const step = Math.min(this.config.retryCapMs, this.config.retryBaseMs * 2 ** Math.max(0, attempts - 1))
    return step / 2 + Math.random() * (step / 2)
  }
}
