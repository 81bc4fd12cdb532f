import type { Logger } from 'pino'
import { ErrorCode } from '@driftless/protocol'
import { DurabilityLedger } from './durability.js'
import { RelayError } from './errors.js'
import { PEER_ORIGIN } from './hooks/connection.js'
import type { CommitOrigin } from './hooks/types.js'
import type { PendingWrite, RelayStorage } from './storage/types.js'
import { mergeUpdates } from './merge-updates.js'
import { FANOUT_INTERVAL_MS } from './room.js'

/** Who hears about a committed (or failed) update. */
export interface AckTarget {
  committed(docId: string, ackId: number): void
  commitFailed(docId: string, ackId: number, error: RelayError): void
}

export interface CommitQueueHooks {
  /**
   * After each successful transaction, with the writes as accepted (hooks, version schedule) and the rows
   * they were stored as (compaction accounting).
   */
  onCommitted(writes: readonly PendingWrite[], rows: readonly PendingWrite[]): void
  /** Duration of each transaction, in seconds. */
  onCommitDuration(seconds: number, batchSize: number): void
}

interface QueuedWrite extends PendingWrite {
  /** The ledger's sequence numbers this write makes durable. */
  seqs: number[]
  target: AckTarget | null
  ackId: number
}

const RETRY_FIRST_MS = 50
const RETRY_MAX_MS = 2000
/**
 * A busy relay starts a transaction at most this often. Each transaction costs a round trip to the writer
 * thread and an fsync; under steady typing nearly every update was its own transaction, and those were half
 * the relay's CPU. A relay quiet for this long still commits at the end of the turn. It is the fan-out's
 * interval: a commit's acks and its documents' fan-out then leave in one turn, one write per socket.
 */
const COMMIT_INTERVAL_MS = FANOUT_INTERVAL_MS

/**
 * Group commit: every update accepted while a transaction runs (or within one turn of the event loop) goes
 * into the next transaction, so a burst costs one fsync, not one per update.
 *
 * Acks follow the ack contract: an ack goes out only once everything of that document the relay held when
 * the acked message arrived is durable: the update itself, the updates queued before it, and what other
 * nodes forwarded (committed here as well, since their origin may die before its own commit). An update
 * whose transaction fails stays in memory and was fanned out, so the queue retries it (with backoff) until
 * it commits; its sender still gets `storageFailure` at once and may resend.
 */
export class CommitQueue {
  private writes: QueuedWrite[] = []
  private running = false
  private scheduled: { timer: NodeJS.Immediate; kind: 'immediate' } | { timer: NodeJS.Timeout; kind: 'timeout' } | null = null
  private lastStarted = -Infinity
  private retryTimer: NodeJS.Timeout | null = null
  private retryDelayMs = RETRY_FIRST_MS
  private retrying = true
  private drained: (() => void)[] = []
  private readonly ledger = new DurabilityLedger()
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

  /** Documents with updates not yet durable or acks waiting for them. */
  get undurableDocuments(): number {
    return this.ledger.size
  }

  /** Whether an update of `docId` is waiting for or inside a transaction. */
  hasPending(docId: string): boolean {
    return this.pendingByDoc.has(docId)
  }

  /**
   * Queues an accepted update; `target` gets the ack for `ackId` (if > 0) once the contract allows it.
   * `author` is stored with the update for version history.
   */
  enqueue(docId: string, update: Uint8Array, target: AckTarget | null, ackId: number, origin?: CommitOrigin, author?: string): void {
    // The client may have built this on what other nodes forwarded: its ack waits for those, so commit them too.
    this.commitForwarded(docId)
    this.push({ docId, update, origin, author, seqs: [this.ledger.held(docId)], target, ackId })
  }

  /** An update another node accepted is now in this node's memory: acks of `docId` wait until it is durable. */
  heldFromBroker(docId: string, update: Uint8Array): void {
    this.ledger.heldRemote(docId, update)
  }

  /** The document left memory: what other nodes forwarded need not be committed here. */
  forget(docId: string): void {
    this.ledger.forgetRemote(docId)
  }

  /**
   * Acks `ackId` to `target` once everything held for `docId` now is durable (for a message that carried
   * nothing new, such as an empty sync-step-2).
   */
  ackWhenDurable(docId: string, target: AckTarget, ackId: number): void {
    this.commitForwarded(docId)
    this.ledger.barrier(docId, () => target.committed(docId, ackId))
  }

  /** Resolves once everything enqueued so far is committed (or, once `stopRetrying` was called, failed). */
  drain(): Promise<void> {
    if (!this.running && this.writes.length === 0) return Promise.resolve()
    return new Promise(resolve => this.drained.push(resolve))
  }

  /** At shutdown: one more try at once for a failed transaction, then none (its updates were never acked). */
  stopRetrying(): void {
    this.retrying = false
    if (this.retryTimer === null) return
    clearTimeout(this.retryTimer)
    this.retryTimer = null
    this.schedule()
  }

  private commitForwarded(docId: string): void {
    const forwarded = this.ledger.takeRemote(docId)
    if (forwarded === null) return
    const update = forwarded.updates.length === 1 ? forwarded.updates[0]! : mergeUpdates(forwarded.updates)
    this.push({ docId, update, origin: PEER_ORIGIN, seqs: forwarded.seqs, target: null, ackId: 0 })
  }

  private push(write: QueuedWrite): void {
    this.pendingByDoc.set(write.docId, (this.pendingByDoc.get(write.docId) ?? 0) + 1)
    this.writes.push(write)
    this.schedule()
  }

  private schedule(): void {
    // setImmediate, not a microtask: updates read from sockets in the same poll phase join this batch.
    if (this.running || this.scheduled !== null || this.retryTimer !== null) return
    const start = (): void => {
      this.scheduled = null
      void this.flush()
    }
    const wait = this.lastStarted + COMMIT_INTERVAL_MS - performance.now()
    this.scheduled = wait <= 0
      ? { timer: setImmediate(start), kind: 'immediate' }
      : { timer: setTimeout(start, wait), kind: 'timeout' }
  }

  private async flush(): Promise<void> {
    const writes = this.writes
    this.writes = []
    this.running = true
    let committed = false
    let rows: PendingWrite[] = []
    const started = performance.now()
    this.lastStarted = started
    try {
      rows = this.rowsOf(writes)
      await this.storage.append(rows)
      this.hooks.onCommitDuration((performance.now() - started) / 1000, writes.length)
      committed = true
    } catch (cause) {
      this.logger.error({ err: cause, updates: writes.length }, 'commit failed; retrying')
      const error = new RelayError(ErrorCode.storageFailure, 'the update was not committed; send it again', { cause })
      for (const write of writes) if (write.target !== null) write.target.commitFailed(write.docId, write.ackId, error)
    }
    this.running = false
    if (committed) this.settle(writes, rows)
    else this.retry(writes)
  }

  /**
   * One row per document and author: a busy document's transaction held one row per keystroke, and those
   * rows were inserted one by one, copied to the writer thread and re-merged by every compaction (a third of
   * a busy relay's main thread). Authors are recorded per document, so merging one author's updates loses
   * nothing; should Yjs refuse to merge them, they are stored one by one as accepted.
   */
  private rowsOf(writes: readonly QueuedWrite[]): PendingWrite[] {
    const groups = new Map<string, QueuedWrite[]>()
    for (const write of writes) {
      const key = `${write.docId}\0${write.author ?? ''}`
      const group = groups.get(key)
      if (group === undefined) groups.set(key, [write])
      else group.push(write)
    }
    const rows: PendingWrite[] = []
    for (const group of groups.values()) {
      const { docId, author } = group[0]!
      if (group.length === 1) {
        rows.push({ docId, update: group[0]!.update, author })
        continue
      }
      try {
        rows.push({ docId, update: mergeUpdates(group.map(write => write.update)), author })
      } catch (error) {
        this.logger.warn({ err: error, docId, updates: group.length }, 'merging a commit\'s updates failed; storing them one by one')
        for (const write of group) rows.push({ docId, update: write.update, author })
      }
    }
    return rows
  }

  private settle(writes: readonly QueuedWrite[], rows: readonly PendingWrite[]): void {
    // One ledger call per document, not per write: each call walks the document's undurable list.
    const seqsByDoc = new Map<string, number[]>()
    for (const write of writes) {
      this.forgetPending(write.docId)
      const seqs = seqsByDoc.get(write.docId)
      if (seqs === undefined) seqsByDoc.set(write.docId, [...write.seqs])
      else seqs.push(...write.seqs)
    }
    for (const [docId, seqs] of seqsByDoc) this.ledger.committed(docId, seqs)
    for (const { docId, seqs, target, ackId } of writes) {
      if (target === null || ackId <= 0) continue
      this.ledger.barrierThrough(docId, Math.max(...seqs), () => target.committed(docId, ackId))
    }
    try {
      this.hooks.onCommitted(writes, rows)
    } catch (error) {
      this.logger.error({ err: error }, 'after-commit hook failed')
    }
    this.retryDelayMs = RETRY_FIRST_MS
    if (this.writes.length > 0) this.schedule()
    else this.finishDrain()
  }

  private retry(failed: QueuedWrite[]): void {
    if (!this.retrying) {
      for (const write of failed) this.forgetPending(write.docId)
      if (this.writes.length > 0) this.schedule()
      else this.finishDrain()
      return
    }
    // Acks were refused; the retry itself acks nobody (senders resend), it only makes memory durable.
    this.writes = [...failed.map(write => ({ ...write, target: null, ackId: 0 })), ...this.writes]
    this.retryTimer = setTimeout(() => {
      this.retryTimer = null
      this.schedule()
    }, this.retryDelayMs * (0.5 + Math.random()))
    this.retryDelayMs = Math.min(this.retryDelayMs * 2, RETRY_MAX_MS)
  }

  private forgetPending(docId: string): void {
    const left = (this.pendingByDoc.get(docId) ?? 1) - 1
    if (left > 0) this.pendingByDoc.set(docId, left)
    else this.pendingByDoc.delete(docId)
  }

  private finishDrain(): void {
    for (const resolve of this.drained.splice(0)) resolve()
  }
}
