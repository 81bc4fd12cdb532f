import type { Logger } from 'pino'
import type { PendingWrite, RelayStorage, StoredUpdate } from './storage/types.js'
import { mergeUpdates } from './merge-updates.js'

export interface CompactionOptions {
  compactAfterRows: number
  compactAfterBytes: number
  onCompacted(docId: string, rowsBefore: number): void
}

/** Rows and bytes appended since the last compaction, and the size of the row that compaction left. */
interface LogSize { rows: number; bytes: number; compactedBytes: number }

/** A document is large from this compacted size on; smaller ones compact at `compactAfterRows` rows. */
const LARGE_BYTES = 16 * 1024
/**
 * A large document waits for at least this share of its compacted size in new rows… Each compaction
 * re-encodes the whole document, so the work per appended byte is (1 + share) ÷ share: 3 at ½ (a tenth of a
 * busy relay's main thread), 1.5 at 2, for a stored log at most three times the document between compactions.
 */
const APPENDED_SHARE = 2
/** …or for this many times `compactAfterRows`, whichever comes first. */
const MAX_ROWS_FACTOR = 25

const MERGE_CHUNK = 64
const yieldToEventLoop = (): Promise<void> => new Promise(resolve => setImmediate(resolve))

/**
 * Background compaction: once a document's stored log passes a row or byte threshold, it is loaded, merged
 * (mergeUpdates) in chunks with a turn of the event loop between them, and swapped in with
 * `storage.replace`, which keeps any row appended meanwhile. One document at a time, so compaction never
 * competes with itself for the event loop. Tracks only documents that are open (rooms) or queued.
 */
export class Compactor {
  private readonly sizes = new Map<string, LogSize>()
  private readonly queue = new Set<string>()
  private running: Promise<void> | null = null
  private stopped = false

  constructor(
    private readonly storage: RelayStorage,
    private readonly options: CompactionOptions,
    private readonly logger: Logger,
  ) {}

  /** Documents whose log size is being tracked. */
  get tracked(): number {
    return this.sizes.size
  }

  loaded(docId: string, rows: readonly StoredUpdate[]): void {
    let bytes = 0
    let largest = 0
    for (const row of rows) {
      bytes += row.update.length
      largest = Math.max(largest, row.update.length)
    }
    // The largest row is most likely what the last compaction left; the others were appended since.
    this.sizes.set(docId, { rows: rows.length, bytes: bytes - largest, compactedBytes: largest })
    this.check(docId)
  }

  committed(writes: readonly PendingWrite[]): void {
    for (const write of writes) {
      const size = this.sizes.get(write.docId)
      if (size === undefined) continue
      size.rows++
      size.bytes += write.update.length
      this.check(write.docId)
    }
  }

  forget(docId: string): void {
    this.sizes.delete(docId)
  }

  async stop(): Promise<void> {
    this.stopped = true
    this.queue.clear()
    await this.running
    this.sizes.clear()
  }

  private check(docId: string): void {
    const size = this.sizes.get(docId)
    if (size === undefined || size.rows < 2 || this.stopped) return
    if (!this.rowsDue(size) && size.bytes < this.options.compactAfterBytes) return
    this.queue.add(docId)
    this.running ??= this.work().finally(() => {
      this.running = null
    })
  }

  /**
   * Past the row threshold, and for a large document also once the new rows are APPENDED_SHARE of it: each
   * compaction re-encodes the whole document, so compacting a big one every `compactAfterRows` small edits
   * made compaction an eighth of the relay's CPU under steady typing. Loading a few thousand rows is cheap.
   */
  private rowsDue(size: LogSize): boolean {
    const { compactAfterRows } = this.options
    if (size.rows < compactAfterRows) return false
    if (size.compactedBytes < LARGE_BYTES) return true
    return size.bytes >= size.compactedBytes * APPENDED_SHARE || size.rows >= compactAfterRows * MAX_ROWS_FACTOR
  }

  private async work(): Promise<void> {
    while (!this.stopped) {
      const docId = this.queue.values().next().value
      if (docId === undefined) return
      this.queue.delete(docId)
      try {
        await this.compact(docId)
      } catch (error) {
        this.logger.error({ err: error, docId }, 'compaction failed')
        // Reset the count so a document whose log cannot be merged is not retried on every commit.
        const size = this.sizes.get(docId)
        if (size !== undefined) size.rows = size.bytes = 0
      }
    }
  }

  private async compact(docId: string): Promise<void> {
    await yieldToEventLoop()
    const rows = await this.storage.load(docId)
    if (rows.length < 2 || this.stopped) return
    let parts = rows.map(row => row.update)
    while (parts.length > 1) {
      const next: Uint8Array[] = []
      for (let i = 0; i < parts.length; i += MERGE_CHUNK) {
        next.push(mergeUpdates(parts.slice(i, i + MERGE_CHUNK)))
        await yieldToEventLoop()
        if (this.stopped) return
      }
      parts = next
    }
    await this.storage.replace(docId, rows.map(row => row.id), parts[0]!)
    const size = this.sizes.get(docId)
    if (size !== undefined) {
      let bytes = 0
      for (const row of rows) bytes += row.update.length
      size.rows = Math.max(1, size.rows - rows.length + 1)
      size.bytes = Math.max(0, size.bytes - bytes)
      size.compactedBytes = parts[0]!.length
    }
    this.options.onCompacted(docId, rows.length)
  }
}
