import type { Logger } from 'pino'
import type { PendingWrite } from '../storage/types.js'
import type { ResolvedVersionOptions } from './options.js'
import type { VersionService } from './service.js'

interface DocActivity { updates: number; idle: NodeJS.Timeout | null }

/**
 * Automatic versions: after a document's committed updates stop for `afterIdleMs`, or once `everyUpdates`
 * were committed since its last automatic version. Counts only what this node committed.
 */
export class VersionScheduler {
  private readonly docs = new Map<string, DocActivity>()
  private stopped = false

  constructor(
    private readonly service: VersionService,
    private readonly options: ResolvedVersionOptions,
    private readonly logger: Logger,
  ) {}

  /** Called after every commit with its writes. */
  committed(writes: readonly PendingWrite[]): void {
    if (this.stopped || (this.options.afterIdleMs === 0 && this.options.everyUpdates === 0)) return
    for (const write of writes) {
      let activity = this.docs.get(write.docId)
      if (activity === undefined) this.docs.set(write.docId, (activity = { updates: 0, idle: null }))
      activity.updates++
    }
    for (const docId of new Set(writes.map(write => write.docId))) {
      const activity = this.docs.get(docId)!
      if (this.options.everyUpdates > 0 && activity.updates >= this.options.everyUpdates) this.take(docId)
      else if (this.options.afterIdleMs > 0) {
        if (activity.idle !== null) clearTimeout(activity.idle)
        activity.idle = setTimeout(() => this.take(docId), this.options.afterIdleMs)
        activity.idle.unref()
      }
    }
  }

  /** Documents with changes not yet in an automatic version. */
  get tracked(): number {
    return this.docs.size
  }

  /** Cancels pending versions (at shutdown). */
  stop(): void {
    this.stopped = true
    for (const activity of this.docs.values()) if (activity.idle !== null) clearTimeout(activity.idle)
    this.docs.clear()
  }

  private take(docId: string): void {
    const activity = this.docs.get(docId)
    if (activity?.idle != null) clearTimeout(activity.idle)
    this.docs.delete(docId)
    this.service.createAutomatic(docId).catch((error: unknown) => {
      this.logger.warn({ err: error, docId }, 'automatic version failed')
    })
  }
}
