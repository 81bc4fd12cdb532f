import * as decoding from 'lib0/decoding'
import { utf16LengthOfUtf8 } from './utf16-length.js'

/**
 * Checks that bytes are a well-formed Yjs v1 update, by walking the format the way Yjs's own readers do
 * (`lazyStructReaderGenerator`, `readItemContent`, `readDeleteSet` in yjs/src/utils) without building any
 * structs. Why not `Y.decodeUpdate`: it materialises every struct, so a hostile 16 MiB frame of 2-byte GC
 * structs would cost hundreds of MiB. This walk allocates only the JSON values and keys it checks (not text), runs
 * in time linear in the input (every loop iteration consumes at least one byte; counts are never
 * preallocated), and refuses what Yjs would choke on later: unknown content or type refs, bad JSON,
 * truncation, trailing bytes, a client listed twice.
 */
export const isValidUpdate = (update: Uint8Array): boolean => {
  try {
    walkUpdate(update, ignoreStruct)
    return true
  } catch {
    // Truncated varints, RangeErrors from lengths past the end, JSON syntax errors, stack overflow on
    // absurdly nested `any` values: all of them mean "not an update".
    return false
  }
}

/**
 * Called for each struct in the order of the update: `length` is what Yjs counts (UTF-16 code units of a
 * string, values of JSON or `any` content, 1 for other content), `skip` marks a Skip struct.
 */
export type StructVisitor = (client: number, clock: number, length: number, skip: boolean) => void

const ignoreStruct: StructVisitor = () => {}

/** Walks a whole update as `isValidUpdate` describes, telling `visit` about each struct; throws if malformed. */
export const walkUpdate = (update: Uint8Array, visit: StructVisitor): void => {
  const decoder = decoding.createDecoder(update)
  readStructs(decoder, visit, null)
  readDeleteSet(decoder, null)
  if (decoding.hasContent(decoder)) fail()
}

/** One client's structs in an update, located by byte offsets so they can be copied without decoding. */
export interface StructSection {
  client: number
  /** Clock of the first struct, and just past the last. */
  clock: number
  end: number
  structs: number
  /** The structs' bytes: `update.subarray(from, to)`. */
  from: number
  to: number
  firstIsGc: boolean
  lastIsGc: boolean
  /** A Skip or a zero-length struct is in the section. */
  irregular: boolean
  /**
   * Offsets of info bytes that say "map key" next to an origin. Yjs reads no key then, and writes the byte
   * without that flag.
   */
  unusedKeyFlags: number[]
}

/** An update's layout: its struct sections (in order) and its delete set as flat [client, clock, length] triples. */
export interface UpdateLayout {
  sections: StructSection[]
  deletes: number[]
}

/** Walks a whole update as `walkUpdate` does and returns its layout; throws if malformed. */
export const layoutOfUpdate = (update: Uint8Array): UpdateLayout => {
  const decoder = decoding.createDecoder(update)
  const layout: UpdateLayout = { sections: [], deletes: [] }
  readStructs(decoder, ignoreStruct, layout.sections)
  readDeleteSet(decoder, layout.deletes)
  if (decoding.hasContent(decoder)) fail()
  return layout
}

const BIT6 = 32
const BIT7 = 64
const BIT8 = 128
const BITS5 = 31
const GC = 0
const SKIP = 10
/** YArray, YMap, YText, YXmlElement, YXmlFragment, YXmlHook, YXmlText. */
const TYPE_REFS = 7
const XML_ELEMENT = 3
const XML_HOOK = 5

const fail = (): never => {
  throw new Error('invalid update')
}

const readInfo = (decoder: decoding.Decoder): number => {
  if (decoder.pos >= decoder.arr.length) fail()
  return decoding.readUint8(decoder)
}

const readStructs = (decoder: decoding.Decoder, visit: StructVisitor, sections: StructSection[] | null): void => {
  const groups = decoding.readVarUint(decoder)
  const clients = new Set<number>()
  for (let g = 0; g < groups; g++) {
    const structs = decoding.readVarUint(decoder)
    const client = decoding.readVarUint(decoder)
    if (clients.has(client)) fail()
    clients.add(client)
    const start = decoding.readVarUint(decoder)
    const from = decoder.pos
    let clock = start
    let firstIsGc = false
    let lastIsGc = false
    let irregular = false
    const unusedKeyFlags: number[] = []
    for (let s = 0; s < structs; s++) {
      const at = decoder.pos
      const info = readInfo(decoder)
      if ((info & BIT6) !== 0 && (info & (BIT7 | BIT8)) !== 0) unusedKeyFlags.push(at)
      const length = readStruct(decoder, info)
      visit(client, clock, length, info === SKIP)
      clock += length
      lastIsGc = (info & BITS5) === GC
      if (s === 0) firstIsGc = lastIsGc
      // Yjs rewrites a GC's info byte without flags; copying one with flags would not be what Yjs writes.
      if (info === SKIP || length === 0 || (lastIsGc && info !== GC)) irregular = true
    }
    if (sections !== null && structs > 0) sections.push({ client, clock: start, end: clock, structs, from, to: decoder.pos, firstIsGc, lastIsGc, irregular, unusedKeyFlags })
  }
}

/** Reads one struct; returns its length. */
const readStruct = (decoder: decoding.Decoder, info: number): number => {
  const contentRef = info & BITS5
  if (contentRef === 0) return decoding.readVarUint(decoder) // GC length
  if (contentRef === SKIP) {
    // Yjs reads a skip only when the whole info byte is 10; with flag bits it would take it for content.
    if (info !== SKIP) fail()
    return decoding.readVarUint(decoder)
  }
  if ((info & BIT8) !== 0) readId(decoder) // origin
  if ((info & BIT7) !== 0) readId(decoder) // right origin
  if ((info & (BIT7 | BIT8)) === 0) {
    // No origins: the parent is named, either by a root type key or by the id of its item.
    if (decoding.readVarUint(decoder) === 1) decoding.readVarString(decoder)
    else readId(decoder)
    if ((info & BIT6) !== 0) decoding.readVarString(decoder) // parent sub (map key)
  }
  return readContent(decoder, contentRef)
}

const readId = (decoder: decoding.Decoder): void => {
  decoding.readVarUint(decoder)
  decoding.readVarUint(decoder)
}

/** Reads an item's content; returns its length. */
const readContent = (decoder: decoding.Decoder, contentRef: number): number => {
  switch (contentRef) {
    case 1: // deleted
      return decoding.readVarUint(decoder)
    case 2: { // JSON
      const length = decoding.readVarUint(decoder)
      for (let i = 0; i < length; i++) {
        const value = decoding.readVarString(decoder)
        if (value !== 'undefined') JSON.parse(value)
      }
      return length
    }
    case 3: // binary
      decoding.readVarUint8Array(decoder)
      return 1
    case 4: // string
      return skipString(decoder)
    case 5: // embed
      JSON.parse(decoding.readVarString(decoder))
      return 1
    case 6: // format
      decoding.readVarString(decoder)
      JSON.parse(decoding.readVarString(decoder))
      return 1
    case 7: { // type
      const typeRef = decoding.readVarUint(decoder)
      if (typeRef >= TYPE_REFS) fail()
      if (typeRef === XML_ELEMENT || typeRef === XML_HOOK) decoding.readVarString(decoder)
      return 1
    }
    case 8: { // any
      const length = decoding.readVarUint(decoder)
      for (let i = 0; i < length; i++) skipAny(decoder, 0)
      return length
    }
    case 9: // subdocument
      decoding.readVarString(decoder)
      skipAny(decoder, 0)
      return 1
    default:
      return fail()
  }
}

/**
 * Skips string content without building the string (text is most of a document, and building it made a
 * large document's walk allocate megabytes); returns its length in UTF-16 code units, as Yjs counts it.
 * Yjs decodes strictly, so bytes that are not UTF-8 are refused here too.
 */
const skipString = (decoder: decoding.Decoder): number => {
  const length = decoding.readVarUint(decoder)
  const start = decoder.pos
  skipBytes(decoder, length)
  const units = utf16LengthOfUtf8(decoder.arr, start, decoder.pos)
  return units < 0 ? fail() : units
}

const MAX_ANY_DEPTH = 256

const skipBytes = (decoder: decoding.Decoder, count: number): void => {
  if (decoder.pos + count > decoder.arr.length) fail()
  decoder.pos += count
}

/** Skips one lib0 `any` value (the same tags as `decoding.readAny`) without building it. */
const skipAny = (decoder: decoding.Decoder, depth: number): void => {
  if (depth > MAX_ANY_DEPTH) fail()
  switch (readInfo(decoder)) {
    case 127: // undefined
    case 126: // null
    case 121: // false
    case 120: // true
      return
    case 125:
      decoding.readVarInt(decoder)
      return
    case 124: // float32
      skipBytes(decoder, 4)
      return
    case 123: // float64
    case 122: // bigint64
      skipBytes(decoder, 8)
      return
    case 119:
      decoding.readVarString(decoder)
      return
    case 118: { // object
      const length = decoding.readVarUint(decoder)
      for (let i = 0; i < length; i++) {
        decoding.readVarString(decoder)
        skipAny(decoder, depth + 1)
      }
      return
    }
    case 117: { // array
      const length = decoding.readVarUint(decoder)
      for (let i = 0; i < length; i++) skipAny(decoder, depth + 1)
      return
    }
    case 116:
      decoding.readVarUint8Array(decoder)
      return
    default:
      fail()
  }
}

const readDeleteSet = (decoder: decoding.Decoder, deletes: number[] | null): void => {
  const clients = decoding.readVarUint(decoder)
  for (let c = 0; c < clients; c++) {
    const client = decoding.readVarUint(decoder)
    const ranges = decoding.readVarUint(decoder)
    for (let r = 0; r < ranges; r++) {
      const clock = decoding.readVarUint(decoder)
      const length = decoding.readVarUint(decoder)
      deletes?.push(client, clock, length)
    }
  }
}
