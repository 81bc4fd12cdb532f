/** Helpers for Redis stream entry ids (`<milliseconds>-<sequence>`). */

/** Splits an id; `undefined` for anything that is not one. */
export const parseStreamId = (id: string): { ms: number; seq: number } | undefined => {
  const match = /^(\d+)-(\d+)$/.exec(id)
  if (match === null) return undefined
  return { ms: Number(match[1]), seq: Number(match[2]) }
}

/** The id `ms` milliseconds before `id` (sequence 0), never below `0-0`. */
export const streamIdBefore = (id: string, ms: number): string => {
  const parsed = parseStreamId(id)
  if (parsed === undefined) return '0-0'
  if (ms <= 0) return id
  return `${Math.max(0, parsed.ms - ms)}-0`
}

/** The largest sequence number of a stream id (an unsigned 64-bit integer). */
const MAX_SEQUENCE = '18446744073709551615'

/**
 * An id to read on from for "entries added from `at` (Unix ms) on", for when the server cannot be asked: the
 * last possible id of the millisecond before, since XREAD returns what comes after the id it is given. (`<at>-0`
 * would skip the first entry added in millisecond `at`, which a publish right after a subscribe can be.)
 */
export const streamIdAt = (at: number): string => {
  const ms = Math.floor(at)
  return ms <= 0 ? '0-0' : `${ms - 1}-${MAX_SEQUENCE}`
}

/** Orders two stream ids as Redis does (negative: `a` first). */
export const compareStreamIds = (a: string, b: string): number => {
  const x = parseStreamId(a) ?? { ms: 0, seq: 0 }
  const y = parseStreamId(b) ?? { ms: 0, seq: 0 }
  return x.ms - y.ms || x.seq - y.seq
}
