/** Websocket framing for the capacity load generators: just enough of RFC 6455 to count what a server sends. */

export const Opcode = { continuation: 0x0, text: 0x1, binary: 0x2, close: 0x8, ping: 0x9, pong: 0xa } as const

/**
 * A client-to-server frame (final, masked) around `payload`. The mask key is all zeros, which RFC 6455
 * allows and which leaves the payload as it is, so a frame is built once before the timed part and written
 * as is, with no per-send masking.
 */
export const clientFrame = (payload: Uint8Array, opcode: number = Opcode.binary): Buffer => {
  const length = payload.length
  const lengthBytes = length < 126 ? 0 : length < 65536 ? 2 : 8
  const header = 2 + lengthBytes + 4
  const frame = Buffer.alloc(header + length)
  frame[0] = 0x80 | opcode
  if (length < 126) frame[1] = 0x80 | length
  else if (length < 65536) {
    frame[1] = 0x80 | 126
    frame.writeUInt16BE(length, 2)
  } else {
    frame[1] = 0x80 | 127
    frame.writeUInt32BE(Math.floor(length / 2 ** 32), 2)
    frame.writeUInt32BE(length >>> 0, 6)
  }
  frame.set(payload, header)
  return frame
}

/** Bytes of a frame's header and payload at `offset`, or null while the header itself is incomplete. */
const frameLength = (buffer: Buffer, offset: number): { header: number; payload: number } | null => {
  const available = buffer.length - offset
  if (available < 2) return null
  const masked = (buffer[offset + 1]! & 0x80) !== 0
  const short = buffer[offset + 1]! & 0x7f
  const maskBytes = masked ? 4 : 0
  if (short < 126) return { header: 2 + maskBytes, payload: short }
  if (short === 126) return available < 4 ? null : { header: 4 + maskBytes, payload: buffer.readUInt16BE(offset + 2) }
  if (available < 10) return null
  return { header: 10 + maskBytes, payload: buffer.readUInt32BE(offset + 2) * 2 ** 32 + buffer.readUInt32BE(offset + 6) }
}

/**
 * Splits a server's TCP stream into frames without copying them: each frame's payload is a view into the
 * chunk it arrived in. Only a frame that straddles chunks is copied, once, when its last byte arrives.
 * Server frames are never masked, so payloads are read as they are.
 */
export class FrameReader {
  private pending: Buffer[] = []
  private pendingBytes = 0
  /** Bytes the straddling frame needs before it can be read (its header may still be incomplete). */
  private needed = 0

  constructor(private readonly onFrame: (opcode: number, payload: Buffer) => void) {}

  push(chunk: Buffer): void {
    let buffer = chunk
    if (this.pendingBytes > 0) {
      this.pending.push(chunk)
      this.pendingBytes += chunk.length
      if (this.pendingBytes < this.needed) return
      buffer = Buffer.concat(this.pending, this.pendingBytes)
      this.pending = []
      this.pendingBytes = 0
    }
    let offset = 0
    while (offset < buffer.length) {
      const length = frameLength(buffer, offset)
      const total = length === null ? Infinity : length.header + length.payload
      if (length === null || offset + total > buffer.length) {
        const rest = buffer.subarray(offset)
        this.pending = [rest]
        this.pendingBytes = rest.length
        // An incomplete header is retried as soon as any byte more arrives.
        this.needed = length === null ? rest.length + 1 : total
        return
      }
      const start = offset + length.header
      this.onFrame(buffer[offset]! & 0x0f, buffer.subarray(start, start + length.payload))
      offset += total
    }
  }
}
