import type { StoredEvent } from './streams.js'

/** What the total order looks at. */
export interface OrderKey { readonly lamport: number; readonly stream: string; readonly seq: number }

/** The total order of events: `(lamport, stream, seq)`. Every replica holding the same events sorts them alike. */
export function compareEvents(a: OrderKey, b: OrderKey): number {
  if (a.lamport !== b.lamport) return a.lamport - b.lamport
  if (a.stream !== b.stream) return a.stream < b.stream ? -1 : 1
  return a.seq - b.seq
}

/** Every event of the log, kept in total order. */
export class EventIndex {
  #events: StoredEvent[] = []

  get events(): readonly StoredEvent[] {
    return this.#events
  }

  get length(): number {
    return this.#events.length
  }

  /**
   * Inserts events and returns the lowest position that changed (`length` before the call when all of them
   * landed at the end, the usual case). Positions below the returned one are untouched.
   */
  insert(added: readonly StoredEvent[]): number {
    const before = this.#events.length
    if (added.length === 0) return before
    const sorted = [...added].sort(compareEvents)
    const first = sorted[0] as StoredEvent
    const last = this.#events[before - 1]
    if (last === undefined || compareEvents(last, first) < 0) {
      for (const event of sorted) this.#events.push(event)
      return before
    }
    const changedFrom = this.#lowerBound(first)
    if (sorted.length <= 8) {
      for (const event of sorted) this.#events.splice(this.#lowerBound(event), 0, event)
      return changedFrom
    }
    this.#events = merge(this.#events, sorted, changedFrom)
    return changedFrom
  }

  /** Removes the events of `stream` with `seq >= cut`; returns the lowest position that changed. */
  truncate(stream: string, cut: number): number {
    let changedFrom = this.#events.length
    const kept: StoredEvent[] = []
    this.#events.forEach((event, position) => {
      if (event.stream === stream && event.seq >= cut) changedFrom = Math.min(changedFrom, position)
      else kept.push(event)
    })
    this.#events = kept
    return changedFrom
  }

  /** Number of events with `lamport <= bound`: the length of the prefix below a watermark. */
  countUpTo(bound: number): number {
    let low = 0
    let high = this.#events.length
    while (low < high) {
      const middle = (low + high) >>> 1
      if ((this.#events[middle] as StoredEvent).lamport <= bound) low = middle + 1
      else high = middle
    }
    return low
  }

  /** Position of `event` (or where it would go). */
  positionOf(event: StoredEvent): number {
    return this.#lowerBound(event)
  }

  #lowerBound(event: StoredEvent): number {
    let low = 0
    let high = this.#events.length
    while (low < high) {
      const middle = (low + high) >>> 1
      if (compareEvents(this.#events[middle] as StoredEvent, event) < 0) low = middle + 1
      else high = middle
    }
    return low
  }
}

function merge(events: StoredEvent[], sorted: StoredEvent[], from: number): StoredEvent[] {
  const result = events.slice(0, from)
  let i = from
  let j = 0
  while (i < events.length && j < sorted.length) {
    const left = events[i] as StoredEvent
    const right = sorted[j] as StoredEvent
    if (compareEvents(left, right) <= 0) { result.push(left); i++ } else { result.push(right); j++ }
  }
  while (i < events.length) result.push(events[i++] as StoredEvent)
  while (j < sorted.length) result.push(sorted[j++] as StoredEvent)
  return result
}
