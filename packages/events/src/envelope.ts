/**
 * One event as read from the log. `stream` and `seq` are not stored: they are where the event sits (the
 * stream's array and its index there). `id` is `"stream:seq"`.
 */
export interface Envelope<Type extends string = string, Data = unknown> {
  /** `"stream:seq"`: unique, and the same on every replica. */
  readonly id: string
  /** The writer's stream (one per session). */
  readonly stream: string
  /** Index of the event in its stream (ticks and close markers take indexes too, so there are gaps). */
  readonly seq: number
  /** 1 + the highest lamport the writer had seen when it appended this event. */
  readonly lamport: number
  readonly type: Type
  /** Version of `data` as you receive it: the definition's current version (older data is upcast). */
  readonly v: number
  readonly data: Data
  /** For a compensating event: the id of the event it compensates. */
  readonly compensates?: string
}

/**
 * What a stream's `Y.Array` holds, compactly (each costs a few bytes in the encoded document):
 * - an event: `[lamport, type, v, data]` or `[lamport, type, v, data, compensates]`
 * - a tick (the stream has seen everything up to `lamport`; announces a stream and keeps the watermark moving): `lamport`
 * - a close marker (the stream will never append again): `[lamport]`
 * - a leave marker (closes the stream, and its device will not come back through it): `[lamport, 'leave']`
 */
export type Entry = number | readonly [number] | readonly [number, 'leave'] | readonly [number, string, number, unknown] | readonly [number, string, number, unknown, string]

/** A decoded entry. */
export type DecodedEntry =
  | { readonly kind: 'tick' | 'close' | 'leave'; readonly lamport: number }
  | {
    readonly kind: 'event'
    readonly lamport: number
    readonly type: string
    readonly v: number
    readonly data: unknown
    readonly compensates: string | undefined
  }

/** Encodes an event entry (storage format; for building fixtures, e.g. benchmarks, without `emit`). */
export function encodeEvent(lamport: number, type: string, v: number, data: unknown, compensates?: string): Entry {
  return compensates === undefined ? [lamport, type, v, data ?? null] : [lamport, type, v, data ?? null, compensates]
}

/** Encodes a tick entry (storage format). */
export const encodeTick = (lamport: number): Entry => lamport
export const encodeClose = (lamport: number, leave: boolean): Entry => (leave ? [lamport, 'leave'] : [lamport])

export const isLamport = (value: unknown): value is number => typeof value === 'number' && Number.isInteger(value) && value >= 0

/**
 * Decodes an entry; `undefined` for anything malformed. A malformed entry is ignored the same way on every
 * replica (it is the same bytes everywhere), so ignoring it cannot make replicas diverge.
 */
export function decodeEntry(entry: unknown): DecodedEntry | undefined {
  if (isLamport(entry)) return { kind: 'tick', lamport: entry }
  if (!Array.isArray(entry) || !isLamport(entry[0])) return undefined
  if (entry.length === 1) return { kind: 'close', lamport: entry[0] }
  if (entry.length === 2) return entry[1] === 'leave' ? { kind: 'leave', lamport: entry[0] } : undefined
  const [lamport, type, v, data, compensates] = entry as unknown[]
  if (typeof type !== 'string' || !isLamport(v) || entry.length > 5) return undefined
  if (compensates !== undefined && typeof compensates !== 'string') return undefined
  return { kind: 'event', lamport: lamport as number, type, v, data, compensates }
}
