import * as Y from 'yjs'
import { decodeEntry, encodeTick, isLamport, type Entry } from './envelope.js'

/** Root `Y.Map<streamId, Y.Array<Entry>>` holding every stream of the document. */
export const STREAMS_ROOT = 'driftless.events'
/** Root `Y.Map<streamId, number>`: retired streams and how many of their entries count (the cut). */
export const RETIRED_ROOT = 'driftless.events.retired'

/** An event entry as read from a stream, not yet decoded against a definition. */
export interface StoredEvent {
  readonly id: string
  readonly stream: string
  readonly seq: number
  readonly lamport: number
  readonly type: string
  readonly v: number
  readonly data: unknown
  readonly compensates: string | undefined
}

/** What a replica knows about one stream, for the watermark. */
export interface StreamStatus {
  /** Lamport of the last entry read (0 for an empty stream: it could still write anything). */
  readonly lastLamport: number
  /** Closed by its own close marker, or retired and every kept entry is here. */
  readonly closed: boolean
  /** Retired by someone, or closed with a leave marker: its device is not expected to come back through it. */
  readonly retired: boolean
}

interface StreamCursor {
  read: number
  lastLamport: number
  closeAt: number | undefined
  left: boolean
  cut: number | undefined
}

/** Changes since the last `pull`. */
export interface StreamChanges {
  readonly added: StoredEvent[]
  /** Streams cut short by a retirement: their events with `seq >= cut` no longer count. */
  readonly truncated: ReadonlyArray<{ readonly stream: string; readonly cut: number }>
}

export const streamsOf = (doc: Y.Doc): Y.Map<Y.Array<Entry>> => doc.getMap<Y.Array<Entry>>(STREAMS_ROOT)
export const retiredOf = (doc: Y.Doc): Y.Map<number> => doc.getMap<number>(RETIRED_ROOT)

/** Creates a stream announced by a tick at `lamport` (what the writer has seen), in one transaction. */
export function createStream(doc: Y.Doc, stream: string, lamport: number, origin: unknown): Y.Array<Entry> {
  const array = new Y.Array<Entry>()
  doc.transact(() => {
    streamsOf(doc).set(stream, array)
    array.push([encodeTick(lamport)])
  }, origin)
  return array
}

/**
 * Reads the streams of a document incrementally. Each stream is append-only and written by one session, so a
 * replica always holds a prefix of it: only new entries need reading.
 */
export class StreamReader {
  readonly #streams: Y.Map<Y.Array<Entry>>
  readonly #retired: Y.Map<number>
  readonly #cursors = new Map<string, StreamCursor>()
  #dirty = new Set<string>()
  #maxLamport = 0

  constructor(doc: Y.Doc) {
    this.#streams = streamsOf(doc)
    this.#retired = retiredOf(doc)
    for (const stream of this.#streams.keys()) this.#dirty.add(stream)
    for (const stream of this.#retired.keys()) this.#dirty.add(stream)
  }

  /** Highest lamport of any entry read so far. */
  get maxLamport(): number {
    return this.#maxLamport
  }

  /** Marks the streams touched by a `observeDeep` batch on the streams root, or an `observe` on the retired root. */
  markChanged(events: ReadonlyArray<Y.YEvent<Y.AbstractType<unknown>>>): void {
    for (const event of events) {
      const key = event.path[0]
      if (typeof key === 'string') this.#dirty.add(key)
      else for (const changed of event.changes.keys.keys()) this.#dirty.add(changed)
    }
  }

  /** Status of every known stream. */
  statuses(): Map<string, StreamStatus> {
    const statuses = new Map<string, StreamStatus>()
    for (const [stream, cursor] of this.#cursors) {
      const closedByMarker = cursor.closeAt !== undefined && cursor.closeAt < cursor.read
      const closedByRetirement = cursor.cut !== undefined && cursor.read >= cursor.cut
      statuses.set(stream, { lastLamport: cursor.lastLamport, closed: closedByMarker || closedByRetirement, retired: closedByRetirement || (closedByMarker && cursor.left) })
    }
    return statuses
  }

  /** How many entries of `stream` have been read. */
  entriesRead(stream: string): number {
    return this.#cursors.get(stream)?.read ?? 0
  }

  /** Whether `stream` has been retired (by anyone). */
  isRetired(stream: string): boolean {
    return this.#retired.has(stream)
  }

  /** Reads what changed since the last call. */
  pull(): StreamChanges {
    const added: StoredEvent[] = []
    const truncated: Array<{ stream: string; cut: number }> = []
    const dirty = this.#dirty
    this.#dirty = new Set()
    for (const stream of dirty) {
      const array = this.#streams.get(stream)
      let cursor = this.#cursors.get(stream)
      if (cursor === undefined) {
        cursor = { read: 0, lastLamport: 0, closeAt: undefined, left: false, cut: undefined }
        this.#cursors.set(stream, cursor)
      }
      const cut = this.#retired.get(stream)
      cursor.cut = typeof cut === 'number' && Number.isInteger(cut) && cut >= 0 ? cut : undefined
      const length = array instanceof Y.Array ? array.length : 0
      const end = Math.min(length, cursor.cut ?? Infinity)
      if (end < cursor.read) {
        truncated.push({ stream, cut: end })
        cursor.read = end
        if (cursor.closeAt !== undefined && cursor.closeAt >= end) {
          cursor.closeAt = undefined
          cursor.left = false
        }
        cursor.lastLamport = end === 0 || !(array instanceof Y.Array) ? 0 : lamportOf(array.get(end - 1), cursor.lastLamport)
      }
      if (end > cursor.read && array instanceof Y.Array) this.#read(stream, array, cursor, end, added)
    }
    return { added, truncated }
  }

  #read(stream: string, array: Y.Array<Entry>, cursor: StreamCursor, end: number, added: StoredEvent[]): void {
    const entries = array.slice(cursor.read, end)
    for (let i = 0; i < entries.length; i++) {
      const seq = cursor.read + i
      // Inline decoding (see decodeEntry): this loop reads every event of the document on open.
      const entry = entries[i] as unknown
      // Nothing after a close marker counts: the stream promised to stop there.
      if (cursor.closeAt !== undefined) continue
      if (typeof entry === 'number') {
        if (!isLamport(entry)) continue
        this.#reached(cursor, entry)
        continue
      }
      if (!Array.isArray(entry)) continue
      const lamport = entry[0] as unknown
      if (!isLamport(lamport)) continue
      if (entry.length === 1 || (entry.length === 2 && entry[1] === 'leave')) {
        this.#reached(cursor, lamport)
        cursor.closeAt = seq
        cursor.left = entry.length === 2
        continue
      }
      const type = entry[1] as unknown
      const v = entry[2] as unknown
      const compensates = entry[4] as unknown
      if (typeof type !== 'string' || !isLamport(v) || entry.length > 5 || (compensates !== undefined && typeof compensates !== 'string')) continue
      this.#reached(cursor, lamport)
      added.push({ id: `${stream}:${seq}`, stream, seq, lamport, type, v, data: entry[3], compensates })
    }
    cursor.read = end
  }

  #reached(cursor: StreamCursor, lamport: number): void {
    cursor.lastLamport = lamport
    if (lamport > this.#maxLamport) this.#maxLamport = lamport
  }
}

const lamportOf = (entry: unknown, fallback: number): number => decodeEntry(entry)?.lamport ?? fallback
