import * as decoding from 'lib0/decoding'

/**
 * Checks that bytes are a well-formed Yjs v1 update, by walking the format the way Yjs's own readers do
 * (`lazyStructReaderGenerator`, `readItemContent`, `readDeleteSet` in yjs/src/utils) without building any
 * structs. Why not `Y.decodeUpdate`: it materialises every struct, so a hostile 16 MiB frame of 2-byte GC
 * structs would cost hundreds of MiB. This walk allocates only the strings and JSON values it checks, runs
 * in time linear in the input (every loop iteration consumes at least one byte; counts are never
 * preallocated), and refuses what Yjs would choke on later: unknown content or type refs, bad JSON,
 * truncation, trailing bytes, a client listed twice.
 */
export const isValidUpdate = (update: Uint8Array): boolean => {
  try {
    const decoder = decoding.createDecoder(update)
    readStructs(decoder)
    readDeleteSet(decoder)
    return !decoding.hasContent(decoder)
  } catch {
    // Truncated varints, RangeErrors from lengths past the end, JSON syntax errors, stack overflow on
    // absurdly nested `any` values: all of them mean "not an update".
    return false
  }
}

const BIT6 = 32
const BIT7 = 64
const BIT8 = 128
const BITS5 = 31
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

const readStructs = (decoder: decoding.Decoder): void => {
  const groups = decoding.readVarUint(decoder)
  const clients = new Set<number>()
  for (let g = 0; g < groups; g++) {
    const structs = decoding.readVarUint(decoder)
    const client = decoding.readVarUint(decoder)
    if (clients.has(client)) fail()
    clients.add(client)
    decoding.readVarUint(decoder) // first clock
    for (let s = 0; s < structs; s++) readStruct(decoder, readInfo(decoder))
  }
}

const readStruct = (decoder: decoding.Decoder, info: number): void => {
  const contentRef = info & BITS5
  if (contentRef === 0) {
    decoding.readVarUint(decoder) // GC length
    return
  }
  if (contentRef === SKIP) {
    // Yjs reads a skip only when the whole info byte is 10; with flag bits it would take it for content.
    if (info !== SKIP) fail()
    decoding.readVarUint(decoder)
    return
  }
  if ((info & BIT8) !== 0) readId(decoder) // origin
  if ((info & BIT7) !== 0) readId(decoder) // right origin
  if ((info & (BIT7 | BIT8)) === 0) {
    // No origins: the parent is named, either by a root type key or by the id of its item.
    if (decoding.readVarUint(decoder) === 1) decoding.readVarString(decoder)
    else readId(decoder)
    if ((info & BIT6) !== 0) decoding.readVarString(decoder) // parent sub (map key)
  }
  readContent(decoder, contentRef)
}

const readId = (decoder: decoding.Decoder): void => {
  decoding.readVarUint(decoder)
  decoding.readVarUint(decoder)
}

const readContent = (decoder: decoding.Decoder, contentRef: number): void => {
  switch (contentRef) {
    case 1: // deleted
      decoding.readVarUint(decoder)
      return
    case 2: { // JSON
      const length = decoding.readVarUint(decoder)
      for (let i = 0; i < length; i++) {
        const value = decoding.readVarString(decoder)
        if (value !== 'undefined') JSON.parse(value)
      }
      return
    }
    case 3: // binary
      decoding.readVarUint8Array(decoder)
      return
    case 4: // string
      decoding.readVarString(decoder)
      return
    case 5: // embed
      JSON.parse(decoding.readVarString(decoder))
      return
    case 6: // format
      decoding.readVarString(decoder)
      JSON.parse(decoding.readVarString(decoder))
      return
    case 7: { // type
      const typeRef = decoding.readVarUint(decoder)
      if (typeRef >= TYPE_REFS) fail()
      if (typeRef === XML_ELEMENT || typeRef === XML_HOOK) decoding.readVarString(decoder)
      return
    }
    case 8: { // any
      const length = decoding.readVarUint(decoder)
      for (let i = 0; i < length; i++) skipAny(decoder, 0)
      return
    }
    case 9: // subdocument
      decoding.readVarString(decoder)
      skipAny(decoder, 0)
      return
    default:
      fail()
  }
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

const readDeleteSet = (decoder: decoding.Decoder): void => {
  const clients = decoding.readVarUint(decoder)
  for (let c = 0; c < clients; c++) {
    decoding.readVarUint(decoder) // client
    const ranges = decoding.readVarUint(decoder)
    for (let r = 0; r < ranges; r++) {
      decoding.readVarUint(decoder) // clock
      decoding.readVarUint(decoder) // length
    }
  }
}
