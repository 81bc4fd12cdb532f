import type { Logger } from 'pino'
import type { PendingWrite } from '../storage/types.js'
import type { ResolvedVersionOptions } from './options.js'
import type { VersionService } from './service.js'

interface DocActivity { updates: number; lastCommitAt: number }

/**
 * Automatic versions: after a document's committed updates stop for `afterIdleMs`, or once `everyUpdates`
 * were committed since its last automatic version. Counts only what this node committed.
 *
 * One timer for every document, not one per document (a Timeout and its closure were a twentieth of what an
 * open document holds): `docs` is kept in the order of each document's last commit, so the first entry is
 * always the next one due.
 */
export class VersionScheduler {
  private readonly docs = new Map<string, DocActivity>()
  private timer: NodeJS.Timeout | null = null
  private stopped = false

  constructor(
    private readonly service: VersionService,
    private readonly options: ResolvedVersionOptions,
    private readonly logger: Logger,
  ) {}

  /** Called after every commit with its writes. */
  committed(writes: readonly PendingWrite[]): void {
    if (this.stopped || (this.options.afterIdleMs === 0 && this.options.everyUpdates === 0)) return
    const now = performance.now()
    for (const write of writes) {
      const activity = this.docs.get(write.docId) ?? { updates: 0, lastCommitAt: now }
      activity.updates++
      activity.lastCommitAt = now
      // Re-inserted, so it moves to the end: the map stays in last-commit order.
      this.docs.delete(write.docId)
      this.docs.set(write.docId, activity)
    }
    if (this.options.everyUpdates > 0) {
      for (const docId of new Set(writes.map(write => write.docId))) {
        if (this.docs.get(docId)!.updates >= this.options.everyUpdates) this.take(docId)
      }
    }
    this.schedule()
  }

  /** Documents with changes not yet in an automatic version. */
  get tracked(): number {
    return this.docs.size
  }

  /** Cancels pending versions (at shutdown). */
  stop(): void {
    this.stopped = true
    if (this.timer !== null) clearTimeout(this.timer)
    this.timer = null
    this.docs.clear()
  }

  /** Arms the timer for the document idle longest, unless it is armed (it then fires no later than that). */
  private schedule(): void {
    if (this.options.afterIdleMs === 0 || this.timer !== null || this.stopped) return
    const first = this.docs.values().next()
    if (first.done === true) return
    const wait = first.value.lastCommitAt + this.options.afterIdleMs - performance.now()
    this.timer = setTimeout(() => {
      this.timer = null
      this.takeDue()
    }, Math.max(0, Math.ceil(wait)))
    this.timer.unref()
  }

  private takeDue(): void {
    const due = performance.now() - this.options.afterIdleMs
    for (const [docId, activity] of this.docs) {
      if (activity.lastCommitAt > due) break
      this.take(docId)
    }
    this.schedule()
  }

  private take(docId: string): void {
    this.docs.delete(docId)
    this.service.createAutomatic(docId).catch((error: unknown) => {
      this.logger.warn({ err: error, docId }, 'automatic version failed')
    })
  }
}
