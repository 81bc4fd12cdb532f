import type * as Y from 'yjs'
import { randomId } from './checkpoint-store.js'
import { encodeClose, encodeEvent, encodeTick, type Entry } from './envelope.js'
import { holdStreamLock } from './sessions.js'
import { createStream, type StreamReader } from './streams.js'

/**
 * The stream this session writes: stamps each entry with its lamport, rotates to a fresh stream past
 * `maxLength` (or after a retirement), and holds the stream's Web Lock while open so that a later session of
 * the device can tell a crashed one from a live one.
 */
export class SessionStream {
  #id = ''
  #array: Y.Array<Entry> | undefined
  /** The highest lamport this session wrote or announced. */
  #lastLamport = 0
  #releaseLock = (): void => undefined

  constructor(
    private readonly doc: Y.Doc,
    private readonly reader: StreamReader,
    private readonly deviceId: string,
    private readonly origin: unknown,
    private readonly maxLength: number,
  ) {
    this.#open()
  }

  get id(): string { return this.#id }
  get lastLamport(): number { return this.#lastLamport }
  /** Retired by another replica: nothing more may be written to it. */
  get retired(): boolean { return this.reader.isRetired(this.#id) }

  /** Appends an event; returns its id (`stream:seq`). */
  append(type: string, v: number, data: unknown, compensates: string | undefined): string {
    // A retired stream's further entries would be ignored everywhere: continue on a fresh one.
    if (this.retired) this.#open()
    else if ((this.#array as Y.Array<Entry>).length >= this.maxLength) this.#rotate()
    const array = this.#array as Y.Array<Entry>
    const lamport = Math.max(this.reader.maxLamport, this.#lastLamport) + 1
    const seq = array.length
    this.#lastLamport = lamport
    this.doc.transact(() => array.push([encodeEvent(lamport, type, v, data, compensates)]), this.origin)
    return `${this.#id}:${seq}`
  }

  /** Writes a tick if this stream lags the highest lamport seen (lets the watermark pass it). */
  tick(): void {
    if (this.#array === undefined || this.retired) return
    const seen = Math.max(this.reader.maxLamport, this.#lastLamport)
    if (seen <= this.#lastLamport) return
    this.#lastLamport = seen
    const array = this.#array
    this.doc.transact(() => array.push([encodeTick(seen)]), this.origin)
  }

  /** Writes the close marker (with `leave`: the device is not coming back) unless retired; the lock stays. */
  close(leave: boolean): void {
    if (this.#array === undefined || this.retired) return
    const array = this.#array
    const lamport = Math.max(this.reader.maxLamport, this.#lastLamport)
    this.doc.transact(() => array.push([encodeClose(lamport, leave)]), this.origin)
  }

  release(): void {
    this.#releaseLock()
  }

  /**
   * Closes this stream and continues on a new one. Yjs merges consecutive entries into one item by copying
   * its array, so appending costs more as a stream grows: bounded streams keep `emit` cheap.
   */
  #rotate(): void {
    this.close(false)
    this.#open()
  }

  #open(): void {
    this.#releaseLock()
    this.#id = `${this.deviceId}.${randomId().slice(0, 6)}`
    this.#releaseLock = holdStreamLock(this.#id)
    this.#lastLamport = Math.max(this.reader.maxLamport, this.#lastLamport)
    this.#array = createStream(this.doc, this.#id, this.#lastLamport, this.origin)
  }
}
