/**
 * Counts edits in a Yjs v1 update without building anything: walks the struct groups the way Yjs's readers
 * do (see packages/relay/src/validate.ts for the full format) and reports each struct's client, clock and
 * length. A receiver in the capacity scenario counts delivered edits this way instead of applying updates.
 */

/** Thrown for an update the walker does not understand (content kinds the load generators never write). */
export class StructWalkError extends Error {
  readonly code = 'unsupported'
  constructor(message: string) {
    super(message)
    this.name = 'StructWalkError'
  }
}

/** A read position in a byte array. */
export interface Cursor { bytes: Uint8Array; pos: number }

export const readVarUint = (cursor: Cursor): number => {
  let value = 0
  let multiplier = 1
  for (;;) {
    const byte = cursor.bytes[cursor.pos++]
    if (byte === undefined) throw new StructWalkError('truncated varint')
    value += (byte & 0x7f) * multiplier
    if (byte < 0x80) return value
    multiplier *= 128
  }
}

const skipVarInt = (cursor: Cursor): void => {
  for (;;) {
    const byte = cursor.bytes[cursor.pos++]
    if (byte === undefined) throw new StructWalkError('truncated varint')
    if (byte < 0x80) return
  }
}

/** Skips a lib0 varString / varUint8Array and returns where its bytes start. */
export const skipVarBytes = (cursor: Cursor): number => {
  const length = readVarUint(cursor)
  const start = cursor.pos
  cursor.pos += length
  if (cursor.pos > cursor.bytes.length) throw new StructWalkError('truncated bytes')
  return start
}

/** UTF-16 length of UTF-8 bytes (what a Yjs string item's clock length counts). */
const utf16Length = (bytes: Uint8Array, start: number, end: number): number => {
  let units = 0
  for (let i = start; i < end; i++) {
    const byte = bytes[i]!
    if ((byte & 0xc0) !== 0x80) units += byte >= 0xf0 ? 2 : 1
  }
  return units
}

const skipAny = (cursor: Cursor): void => {
  const tag = cursor.bytes[cursor.pos++]
  if (tag === 125) return skipVarInt(cursor)
  if (tag === 119) return void skipVarBytes(cursor)
  if (tag === 120 || tag === 121 || tag === 126 || tag === 127) return
  throw new StructWalkError(`any value ${tag} not supported`)
}

/** Length of one item's content, skipping it. */
const contentLength = (cursor: Cursor, ref: number): number => {
  switch (ref) {
    case 1: // deleted
      return readVarUint(cursor)
    case 4: { // string
      const start = skipVarBytes(cursor)
      return utf16Length(cursor.bytes, start, cursor.pos)
    }
    case 8: { // any
      const count = readVarUint(cursor)
      for (let i = 0; i < count; i++) skipAny(cursor)
      return count
    }
    default:
      throw new StructWalkError(`content ${ref} not supported`)
  }
}

/**
 * Calls `onStruct(client, clock, length)` for every item and GC struct of the update in `bytes[start, end)`
 * (skips are gaps, not edits). The delete set is not read: the load generators only count insertions.
 */
export const forEachStruct = (
  bytes: Uint8Array, start: number, end: number, onStruct: (client: number, clock: number, length: number) => void,
): void => {
  const cursor: Cursor = { bytes: end === bytes.length ? bytes : bytes.subarray(0, end), pos: start }
  const groups = readVarUint(cursor)
  for (let g = 0; g < groups; g++) {
    const structs = readVarUint(cursor)
    const client = readVarUint(cursor)
    let clock = readVarUint(cursor)
    for (let s = 0; s < structs; s++) {
      const info = cursor.bytes[cursor.pos++]
      if (info === undefined) throw new StructWalkError('truncated struct')
      const ref = info & 0x1f
      let length: number
      if (ref === 0) length = readVarUint(cursor) // GC
      else if (ref === 10) {
        clock += readVarUint(cursor) // skip: a gap
        continue
      } else {
        if ((info & 0x80) !== 0) { readVarUint(cursor); readVarUint(cursor) } // origin
        if ((info & 0x40) !== 0) { readVarUint(cursor); readVarUint(cursor) } // right origin
        if ((info & 0xc0) === 0) {
          if (readVarUint(cursor) === 1) skipVarBytes(cursor) // parent: a root type's name
          else { readVarUint(cursor); readVarUint(cursor) } // parent: an item's id
          if ((info & 0x20) !== 0) skipVarBytes(cursor) // parent sub (map key)
        }
        length = contentLength(cursor, ref)
      }
      onStruct(client, clock, length)
      clock += length
    }
  }
}

/** What one broadcast update carries: edits (clock lengths) in all, and per client. */
export interface EditTotals { all: number; byClient: ReadonlyMap<number, number> }

/** Distinct updates remembered by `EditCounter`: the fan-out being read, and the probes' updates around it. */
const REMEMBERED_UPDATES = 4

/**
 * Counts a broadcast update's edits once for all the subscribers that receive it. A relay sends every subscriber
 * the same bytes, and with 500 subscribers walking each copy was most of the bulk load generator's time: at
 * 32,000 edits/s it fell 150–190 ms behind its schedule while the relay's core was 67–78% busy. Comparing bytes
 * (a memcmp) with the few updates seen last is far cheaper than walking their structs.
 */
export class EditCounter {
  private readonly recent: { bytes: Buffer; totals: EditTotals }[] = []

  /** The edits of the update in `message[start, end)`. */
  totals(message: Buffer, start: number, end: number): EditTotals {
    const bytes = message.subarray(start, end)
    for (const entry of this.recent) if (entry.bytes.equals(bytes)) return entry.totals
    const byClient = new Map<number, number>()
    let all = 0
    forEachStruct(message, start, end, (client, _clock, length) => {
      byClient.set(client, (byClient.get(client) ?? 0) + length)
      all += length
    })
    const totals = { all, byClient }
    // A copy: the frame may be a view into a buffer that is read into again.
    this.recent.unshift({ bytes: Buffer.from(bytes), totals })
    if (this.recent.length > REMEMBERED_UPDATES) this.recent.pop()
    return totals
  }
}
