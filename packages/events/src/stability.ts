import type { StreamStatus } from './streams.js'

/** The device (replica) a stream belongs to: the part of its id before the first `.`. */
export const deviceOf = (stream: string): string => {
  const dot = stream.indexOf('.')
  return dot === -1 ? stream : stream.slice(0, dot)
}

/**
 * The watermark: every event with `lamport <= watermark` is stable (no event can still arrive that sorts
 * before it). Computed from the document alone, so replicas holding the same document agree on it.
 *
 * Why it is safe:
 * - A stream's entries have non-decreasing lamports and a new event is stamped `1 + max lamport seen`, so an
 *   open stream whose last entry (event or tick) has lamport `L` can only append events with lamport `> L`.
 *   A replica holds a prefix of each stream, so the entries it has not received yet are among those too.
 * - A closed stream (close marker, or retired with all kept entries present) appends nothing more.
 * - But its device can open a new stream (a reload). A new stream starts from the device's stored copy of the
 *   document, which holds everything the device wrote, so its events have lamports `> max L` over the
 *   device's streams.
 *
 * So a device bounds future events by the lowest `L` of its open streams, or, with none open, by the highest
 * `L` of all its streams; the watermark is the lowest bound over the devices. An empty stream bounds at 0.
 * A device whose every stream is retired is gone for good and bounds nothing. With no device left: `Infinity`.
 *
 * It only knows the devices the document holds: a device must have announced a stream (its first entry is a
 * tick) before events are ordered among stable ones. See the README ("Stable and tentative").
 */
export function watermarkOf(statuses: ReadonlyMap<string, StreamStatus>): number {
  const devices = new Map<string, { open: number; all: number; live: boolean }>()
  for (const [stream, status] of statuses) {
    const device = deviceOf(stream)
    const bound = devices.get(device) ?? { open: Infinity, all: -Infinity, live: false }
    if (!status.closed) bound.open = Math.min(bound.open, status.lastLamport)
    if (!status.retired) bound.live = true
    bound.all = Math.max(bound.all, status.lastLamport)
    devices.set(device, bound)
  }
  let watermark = Infinity
  for (const { open, all, live } of devices.values()) {
    if (!live) continue
    watermark = Math.min(watermark, Number.isFinite(open) ? open : all)
  }
  return watermark
}
