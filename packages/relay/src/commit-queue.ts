import type { Logger } from 'pino'
import { ErrorCode } from '@driftless/protocol'
import { RelayError } from './errors.js'
import type { CommitOrigin } from './hooks/types.js'
import type { PendingWrite, RelayStorage } from './storage/types.js'

/** Who hears about a committed (or failed) update. */
export interface AckTarget {
  committed(docId: string, ackId: number): void
  commitFailed(docId: string, ackId: number, error: RelayError): void
}

export interface CommitQueueHooks {
  /** After each successful transaction, with its writes (compaction accounting). */
  onCommitted(writes: readonly PendingWrite[]): void
  /** Duration of each transaction, in seconds. */
  onCommitDuration(seconds: number, batchSize: number): void
}

/**
 * Group commit: every update accepted while a transaction runs (or within one turn of the event loop) goes
 * into the next transaction, so a burst costs one fsync, not one per update. Acks go out only after the
 * transaction that holds the update has committed.
 */
export class CommitQueue {
  private writes: PendingWrite[] = []
  private targets: (AckTarget | null)[] = []
  private ackIds: number[] = []
  private running = false
  private scheduled: NodeJS.Immediate | null = null
  private drained: (() => void)[] = []
  /** Updates enqueued and not yet committed (or failed), per document. */
  private readonly pendingByDoc = new Map<string, number>()

  constructor(
    private readonly storage: RelayStorage,
    private readonly hooks: CommitQueueHooks,
    private readonly logger: Logger,
  ) {}

  /** Updates waiting for or inside a transaction. */
  get size(): number {
    return this.writes.length + (this.running ? 1 : 0)
  }

  /** Whether an update of `docId` is waiting for or inside a transaction. */
  hasPending(docId: string): boolean {
    return this.pendingByDoc.has(docId)
  }

  enqueue(docId: string, update: Uint8Array, target: AckTarget | null, ackId: number, origin?: CommitOrigin): void {
    this.pendingByDoc.set(docId, (this.pendingByDoc.get(docId) ?? 0) + 1)
    this.writes.push({ docId, update, origin })
    this.targets.push(target)
    this.ackIds.push(ackId)
    this.schedule()
  }

  /** Resolves once everything enqueued so far is committed (or failed). */
  drain(): Promise<void> {
    if (!this.running && this.writes.length === 0) return Promise.resolve()
    return new Promise(resolve => this.drained.push(resolve))
  }

  private schedule(): void {
    // setImmediate, not a microtask: updates read from sockets in the same poll phase join this batch.
    if (this.running || this.scheduled !== null) return
    this.scheduled = setImmediate(() => {
      this.scheduled = null
      void this.flush()
    })
  }

  private async flush(): Promise<void> {
    const writes = this.writes
    const targets = this.targets
    const ackIds = this.ackIds
    this.writes = []
    this.targets = []
    this.ackIds = []
    this.running = true
    let committed = false
    const started = performance.now()
    try {
      await this.storage.append(writes)
      this.hooks.onCommitDuration((performance.now() - started) / 1000, writes.length)
      for (let i = 0; i < writes.length; i++) {
        const ackId = ackIds[i] ?? 0
        if (ackId > 0) targets[i]?.committed(writes[i]!.docId, ackId)
      }
      committed = true
    } catch (cause) {
      this.logger.error({ err: cause, updates: writes.length }, 'commit failed')
      const error = new RelayError(ErrorCode.storageFailure, 'the update was not committed; send it again', { cause })
      for (let i = 0; i < writes.length; i++) targets[i]?.commitFailed(writes[i]!.docId, ackIds[i] ?? 0, error)
    } finally {
      for (const write of writes) {
        const left = (this.pendingByDoc.get(write.docId) ?? 1) - 1
        if (left > 0) this.pendingByDoc.set(write.docId, left)
        else this.pendingByDoc.delete(write.docId)
      }
      this.running = false
      if (committed) {
        try {
          this.hooks.onCommitted(writes)
        } catch (error) {
          this.logger.error({ err: error }, 'after-commit hook failed')
        }
      }
      if (this.writes.length > 0) this.schedule()
      else for (const resolve of this.drained.splice(0)) resolve()
    }
  }
}
