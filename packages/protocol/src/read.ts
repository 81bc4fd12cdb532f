import * as decoding from 'lib0/decoding'
import { MAX_DOC_ID_BYTES, type Message } from './messages.js'

/** Why a frame was refused. */
export type ProtocolErrorCode = 'malformed-message' | 'unknown-message-type'

/** A frame that does not decode. Returned, never thrown. */
export class ProtocolError extends Error {
  override readonly name = 'ProtocolError'
  constructor(readonly code: ProtocolErrorCode, message: string) {
    super(message)
  }
}

const utf8 = new TextDecoder('utf-8', { fatal: true })

/** Copies, so a decoded message never pins (or aliases) the socket's receive buffer. */
export const readBytes = (decoder: decoding.Decoder): Uint8Array => decoding.readVarUint8Array(decoder).slice()

export const readString = (decoder: decoding.Decoder): string => utf8.decode(decoding.readVarUint8Array(decoder))

export const readDocId = (decoder: decoding.Decoder): string => {
  const bytes = decoding.readVarUint8Array(decoder)
  if (bytes.length === 0) throw new ProtocolError('malformed-message', 'malformed message: empty document id')
  if (bytes.length > MAX_DOC_ID_BYTES) {
    throw new ProtocolError('malformed-message', `malformed message: document id over ${MAX_DOC_ID_BYTES} bytes`)
  }
  return utf8.decode(bytes)
}

export type DecodeResult<M = Message> = { ok: true; message: M } | { ok: false; error: ProtocolError }

/**
 * Reads the tag, then the message with `read`; anything it throws, and trailing bytes, come back as an error.
 */
export const decodeFrame = <M>(frame: Uint8Array, read: (decoder: decoding.Decoder, tag: number) => M): DecodeResult<M> => {
  try {
    const decoder = decoding.createDecoder(frame)
    const message = read(decoder, decoding.readVarUint(decoder))
    if (decoding.hasContent(decoder)) return malformed(`${frame.length - decoder.pos} trailing bytes`)
    return { ok: true, message }
  } catch (error) {
    if (error instanceof ProtocolError) return { ok: false, error }
    return malformed(error instanceof Error ? error.message : String(error))
  }
}

const malformed = (why: string): { ok: false; error: ProtocolError } => ({
  ok: false,
  error: new ProtocolError('malformed-message', `malformed message: ${why}`),
})
