import { randomBytes } from 'node:crypto'
import { connect, type Socket } from 'node:net'
import { clientFrame, FrameReader, Opcode } from './wire.js'

const HANDSHAKE_TIMEOUT_MS = 30_000

/**
 * A websocket client on a bare TCP socket: the upgrade by hand, then frames split by `FrameReader` and
 * handed over as views, pings answered. No message objects, no per-message allocation beyond Node's own
 * read buffers, so hundreds of them in one load-generator process cost the measurement little.
 */
export class RawSocket {
  /** Server frames and their payload bytes received so far. */
  frames = 0
  bytes = 0
  closed = false
  /** When this socket last wrote (performance.now()). */
  lastWrite = performance.now()
  private readonly reader: FrameReader

  private constructor(private readonly socket: Socket, onMessage: (payload: Buffer) => void) {
    this.reader = new FrameReader((opcode, payload) => {
      this.frames++
      this.bytes += payload.length
      if (opcode === Opcode.binary) onMessage(payload)
      else if (opcode === Opcode.ping) this.socket.write(clientFrame(payload, Opcode.pong))
      else if (opcode === Opcode.close) this.socket.end()
    })
    socket.on('close', () => { this.closed = true })
  }

  /** Opens `ws://host:port<path>`; resolves once the server switched protocols. */
  static open(url: string, path: string, subprotocol: string | undefined, onMessage: (payload: Buffer) => void): Promise<RawSocket> {
    const { hostname, port } = new URL(url)
    return new Promise((resolve, reject) => {
      const socket = connect({ host: hostname, port: Number(port), noDelay: true })
      const timer = setTimeout(() => socket.destroy(new Error(`websocket upgrade to ${url}${path} timed out`)), HANDSHAKE_TIMEOUT_MS)
      let head = Buffer.alloc(0)
      const onData = (chunk: Buffer): void => {
        head = Buffer.concat([head, chunk])
        const end = head.indexOf('\r\n\r\n')
        if (end < 0) return
        socket.off('data', onData)
        clearTimeout(timer)
        const status = head.subarray(0, head.indexOf('\r\n')).toString()
        if (!status.includes(' 101 ')) {
          socket.destroy()
          return reject(new Error(`websocket upgrade to ${url}${path} refused: ${status}`))
        }
        const raw = new RawSocket(socket, onMessage)
        socket.on('data', (data: Buffer) => raw.reader.push(data))
        const rest = head.subarray(end + 4)
        if (rest.length > 0) raw.reader.push(rest)
        resolve(raw)
      }
      socket.on('data', onData)
      socket.once('error', (error) => { clearTimeout(timer); reject(error) })
      socket.once('connect', () => {
        socket.on('error', () => {}) // a reset after the upgrade shows as `closed`
        socket.write([
          `GET ${path} HTTP/1.1`, `Host: ${hostname}:${port}`, 'Upgrade: websocket', 'Connection: Upgrade',
          `Sec-WebSocket-Key: ${randomBytes(16).toString('base64')}`, 'Sec-WebSocket-Version: 13',
          ...(subprotocol ? [`Sec-WebSocket-Protocol: ${subprotocol}`] : []), '', '',
        ].join('\r\n'))
      })
    })
  }

  /** Writes a frame built by `clientFrame`. */
  write(frame: Buffer): void {
    if (this.closed) return
    this.socket.write(frame)
    this.lastWrite = performance.now()
  }

  /** Holds writes until `uncork`, so several frames due at once leave in one syscall. */
  cork(): void {
    this.socket.cork()
  }

  uncork(): void {
    this.socket.uncork()
  }

  /** Sends one binary message (framing it now: for set-up, not the timed part). */
  send(message: Uint8Array): void {
    this.write(clientFrame(message))
  }

  close(): void {
    this.socket.destroy()
  }
}
