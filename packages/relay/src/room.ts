import type { Logger } from 'pino'
import * as Y from 'yjs'
import { AwarenessStates, encodeAwareness, type AwarenessEntry, type AwarenessLimits } from './awareness.js'
import { stateVectorOfUpdate } from './state-vector.js'
import { dAwarenessFrame, dUpdateFrame, wsBinaryFrame, yAwarenessFrame, yUpdateFrame } from './frames.js'
import { mergeUpdates } from './merge-updates.js'

/** One end that receives a document's traffic: a Driftless connection or a y-websocket socket. */
export interface Subscriber {
  readonly kind: 'driftless' | 'ywebsocket'
  /** Sends one frame. */
  send(frame: Uint8Array): void
  /** Sends a complete websocket message built by `wsBinaryFrame`, shared between subscribers. */
  sendWire(wire: Buffer): void
  /** The document was deleted: the subscriber is no longer in the room; tell the client. */
  documentDeleted(docId: string): void
}

/** Updates merged into one; each merge of TAIL_FANIN chunks of one level makes a chunk of the next level. */
interface TailChunk { update: Uint8Array; level: number }

/** The empty Yjs update: no structs, no deletions. */
export const EMPTY_UPDATE = new Uint8Array([0, 0])
export const isEmptyUpdate = (update: Uint8Array): boolean => update.length === 2 && update[0] === 0 && update[1] === 0
const TAIL_MIN_MERGE_BYTES = 64 * 1024
/** The tail merges this many equal chunks at once. */
const TAIL_FANIN = 16
/** Past this many queued bytes the outbox is sent at once rather than at the end of the turn. */
const OUTBOX_MAX_BYTES = 256 * 1024
/**
 * A busy document's fan-out leaves at most this often (one display frame at 60 Hz: a client renders no
 * sooner anyway). Each fan-out is one write (one syscall) per subscriber, and with 500 subscribers those
 * writes were most of the relay's CPU when every turn carried an edit; a document quiet for this long
 * still sends at the end of the turn.
 */
export const FANOUT_INTERVAL_MS = 16

/**
 * One open document: its state in compact encoded form (never a Y.Doc), its subscribers and awareness.
 *
 * State is `base` (merged) plus a short `tail` of recent fan-outs, kept like a base-16 counter: each fan-out's
 * merged update joins the tail at level 0, and once the newest TAIL_FANIN chunks are of one level they are
 * merged into one of the next level, so the tail has O(16 log₁₆ n) chunks and each update is re-merged
 * O(log₁₆ n) times (folding a growing chunk every 32 updates made state upkeep a third of the relay's CPU
 * under steady typing). Taking the fan-out's merge, rather than each update, spares the first of those
 * merges. The oldest chunk goes into `base` once it is a sizeable fraction of it, so a burst of small edits
 * to a big document does not re-encode the document per edit.
 */
export class Room {
  readonly subscribers = new Set<Subscriber>()
  readonly awareness: AwarenessStates<Subscriber>
  /** Set once the stored log is loaded; sync replies wait for it. */
  loaded = false
  /** Set when the room left memory; late callbacks must do nothing. */
  evicted = false
  evictTimer: NodeJS.Timeout | null = null
  stopBroker: (() => void) | null = null
  readonly ready: Promise<void>
  private resolveReady!: () => void
  private rejectReady!: (error: unknown) => void
  private base: Uint8Array = EMPTY_UPDATE
  private tail: TailChunk[] = []
  private stateVectorCache: Uint8Array | null = null
  /** Updates accepted in this turn of the event loop, sent together at its end (see `broadcast`). */
  private outbox: { update: Uint8Array; origin: Subscriber | null }[] = []
  private outboxBytes = 0
  private outboxFlush: { timer: NodeJS.Immediate; kind: 'immediate' } | { timer: NodeJS.Timeout; kind: 'timeout' } | null = null
  private lastFanOut = -Infinity

  /**
   * `committing`: whether updates of this document are queued for or inside a commit, whose landing sends the
   * outbox (`Rooms.fanOutNow`) together with their acks.
   */
  constructor(
    readonly docId: string, awarenessLimits?: AwarenessLimits, private readonly logger?: Logger,
    private readonly committing: () => boolean = () => false,
  ) {
    this.awareness = new AwarenessStates(awarenessLimits)
    this.ready = new Promise<void>((resolve, reject) => {
      this.resolveReady = resolve
      this.rejectReady = reject
    })
    // A load failure is reported to each waiting subscriber; nobody waiting is not an unhandled rejection.
    this.ready.catch(() => {})
  }

  /** Called once with the stored log (merged); updates accepted while loading are in the tail or outbox. */
  finishLoad(stored: Uint8Array): void {
    this.base = stored
    this.stateVectorCache = null
    this.loaded = true
    this.resolveReady()
  }

  failLoad(error: unknown): void {
    this.rejectReady(error)
  }

  /** The whole document as one update. Sends what waits for fan-out first: its merge joins the state. */
  state(): Uint8Array {
    this.flushOutbox()
    if (this.tail.length > 0) {
      const chunks = this.tail.map(chunk => chunk.update)
      const parts = isEmptyUpdate(this.base) ? chunks : [this.base, ...chunks]
      // A lone update is already the state: re-encoding a large first upload would only make garbage.
      this.base = parts.length === 1 ? parts[0]! : mergeUpdates(parts)
      this.tail = []
    }
    return this.base
  }

  stateVector(): Uint8Array {
    this.stateVectorCache ??= stateVectorOfUpdate(this.state())
    return this.stateVectorCache
  }

  /** Exactly what a peer with `stateVector` lacks. */
  diff(stateVector: Uint8Array): Uint8Array {
    const state = this.state()
    // The empty state vector (no clients) needs no diffing: the answer is everything.
    if (stateVector.length === 1 && stateVector[0] === 0) return state
    return Y.diffUpdate(state, stateVector)
  }

  /**
   * Adds an accepted update to the state (not to storage: the commit queue does that) and forwards it to
   * every subscriber but `origin`. Updates accepted in the same turn of the event loop
   * (for a busy document, within FANOUT_INTERVAL_MS of its last fan-out) leave together as one merged update
   * per subscriber: when many clients type at once, each receives one
   * frame and applies one transaction per turn instead of one per edit. A subscriber that sent some of the
   * merged updates gets its own back inside the merge, which Yjs ignores; one that sent all of them gets nothing.
   */
  add(update: Uint8Array, origin: Subscriber | null): void {
    this.outbox.push({ update, origin })
    this.stateVectorCache = null
    this.outboxBytes += update.length
    if (this.outboxBytes >= OUTBOX_MAX_BYTES) this.flushOutbox()
    else if (this.outboxFlush === null) this.scheduleFanOut()
  }

  /** Sends what `broadcast` queued. Called before anything else is sent to the room, to keep order. */
  flushOutbox(): void {
    if (this.outboxFlush?.kind === 'immediate') clearImmediate(this.outboxFlush.timer)
    else if (this.outboxFlush?.kind === 'timeout') clearTimeout(this.outboxFlush.timer)
    this.outboxFlush = null
    const outbox = this.outbox
    if (outbox.length === 0) return
    this.outbox = []
    this.outboxBytes = 0
    this.lastFanOut = performance.now()
    if (this.evicted) return
    const soleOrigin = outbox.every(entry => entry.origin === outbox[0]!.origin) ? outbox[0]!.origin : null
    let merged: Uint8Array | null = outbox.length === 1 ? outbox[0]!.update : null
    try {
      merged ??= mergeUpdates(outbox.map(entry => entry.update))
    } catch (error) {
      // Every update was checked on the way in; should Yjs still refuse to merge them, send them one by one.
      this.logger?.warn({ err: error, docId: this.docId, updates: outbox.length }, 'fan-out merge failed; sending the updates one by one')
      for (const entry of outbox) {
        this.addToTail(entry.update)
        this.sendToAll(entry.update, entry.origin, dUpdateFrame, yUpdateFrame)
      }
      return
    }
    this.addToTail(merged)
    this.sendToAll(merged, soleOrigin, dUpdateFrame, yUpdateFrame)
  }

  /**
   * At the end of this turn, or FANOUT_INTERVAL_MS after the last fan-out if that is later. A busy document
   * whose updates are being committed waits for that commit instead (it starts within an interval too): its
   * landing sends the outbox in the turn the acks leave, so a writer gets both in one write rather than two.
   * The timer then only covers a commit slower than an interval.
   */
  private scheduleFanOut(): void {
    const wait = this.lastFanOut + FANOUT_INTERVAL_MS - performance.now()
    if (wait <= 0) {
      this.outboxFlush = { timer: setImmediate(() => this.flushOutbox()), kind: 'immediate' }
      return
    }
    const timeout = this.committing() ? wait + FANOUT_INTERVAL_MS : wait
    this.outboxFlush = { timer: setTimeout(() => this.flushOutbox(), timeout), kind: 'timeout' }
  }

  /**
   * Applies a subscriber's (already parsed) awareness update and forwards what it changed: the update as it
   * came when all of it was taken, else just the accepted entries. Returns why something was refused, or null.
   */
  receiveAwareness(update: Uint8Array, entries: readonly AwarenessEntry[], origin: Subscriber): string | null {
    const { accepted, refused } = this.awareness.apply(entries, origin)
    if (accepted.length > 0) this.broadcastAwareness(accepted.length === entries.length ? update : encodeAwareness(accepted), origin)
    return refused
  }

  broadcastAwareness(update: Uint8Array, origin: Subscriber | null): void {
    // Presence may point into content queued for fan-out: that content goes first.
    this.flushOutbox()
    this.sendToAll(update, origin, dAwarenessFrame, yAwarenessFrame)
  }

  /** Sends one payload to every subscriber but `except`, encoding each frame kind at most once. */
  private sendToAll(
    payload: Uint8Array,
    except: Subscriber | null,
    driftlessFrame: (docId: string, payload: Uint8Array) => Uint8Array,
    ywebsocketFrame: (payload: Uint8Array) => Uint8Array,
  ): void {
    let driftless: Buffer | null = null
    let ywebsocket: Buffer | null = null
    for (const subscriber of this.subscribers) {
      if (subscriber === except) continue
      if (subscriber.kind === 'driftless') subscriber.sendWire((driftless ??= wsBinaryFrame(driftlessFrame(this.docId, payload))))
      else subscriber.sendWire((ywebsocket ??= wsBinaryFrame(ywebsocketFrame(payload))))
    }
  }

  /**
   * Adds a chunk at level 0, merges the newest TAIL_FANIN chunks while they are of one level, and moves a big
   * oldest one into `base`.
   */
  private addToTail(update: Uint8Array): void {
    const tail = this.tail
    tail.push({ update, level: 0 })
    // Levels never grow towards the end, so equal first and last means all TAIL_FANIN are equal.
    while (tail.length >= TAIL_FANIN && tail[tail.length - TAIL_FANIN]!.level === tail[tail.length - 1]!.level) {
      const chunks = tail.splice(tail.length - TAIL_FANIN)
      const merged = mergeUpdates(chunks.map(chunk => chunk.update))
      tail.push({ update: merged, level: chunks[0]!.level + 1 })
    }
    const oldest = tail[0]!
    if (oldest.update.length >= Math.max(TAIL_MIN_MERGE_BYTES, this.base.length / 2)) {
      this.base = isEmptyUpdate(this.base) ? oldest.update : mergeUpdates([this.base, oldest.update])
      tail.shift()
    }
  }
}
