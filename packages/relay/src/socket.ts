import type { WebSocket } from 'ws'
import { CloseCode } from '@driftless/protocol'
import type { RelayContext } from './context.js'
import { wsBinaryHeader } from './frames.js'

const TERMINATE_AFTER_MS = 5000
/** `WebSocket.OPEN`. */
const OPEN = 1

interface Corkable { cork(): void; uncork(): void; write(chunk: Uint8Array): boolean; destroyed: boolean }

/**
 * Write coalescing: the first frame sent to a socket in a turn of the event loop corks its TCP stream, and
 * one `setImmediate` uncorks every corked stream after the I/O phase. A fan-out burst then leaves as one
 * `writev` per socket instead of one syscall per frame (the syscalls dominated the profile).
 */
const corked: Corkable[] = []
let uncorkScheduled = false
/** Counts uncork rounds, so a socket knows whether it is already corked in this one. */
let turn = 0
const uncorkAll = (): void => {
  uncorkScheduled = false
  turn++
  for (const stream of corked.splice(0)) if (!stream.destroyed) stream.uncork()
}
const corkUntilNextTurn = (stream: Corkable): void => {
  stream.cork()
  corked.push(stream)
  if (!uncorkScheduled) {
    uncorkScheduled = true
    setImmediate(uncorkAll)
  }
}

/**
 * A websocket as the relay drives it: bounded send buffer, close with a code then force the TCP
 * connection down if the peer never completes the closing handshake, an 'error' listener always attached.
 */
export class ManagedSocket {
  lastSeen = performance.now()
  /** True once a close was started, locally or by the peer. */
  closing = false
  private terminateTimer: NodeJS.Timeout | null = null
  /** The TCP stream under the websocket (ws keeps it as `_socket`), for write coalescing. */
  private readonly stream: Corkable | undefined
  private corkedTurn = -1

  constructor(readonly ws: WebSocket, private readonly ctx: RelayContext, onClosed: () => void) {
    this.stream = (ws as unknown as { _socket?: Corkable })._socket
    ws.on('error', (error: Error) => {
      // ws reports protocol violations (bad opcode, oversize frame) here and then closes by itself.
      ctx.logger.debug({ err: error }, 'socket error')
    })
    ws.on('close', () => {
      this.closing = true
      if (this.terminateTimer !== null) clearTimeout(this.terminateTimer)
      this.terminateTimer = null
      onClosed()
    })
  }

  /** Sends one frame; closes the socket with 4004 instead when the client is not reading fast enough. */
  send(frame: Uint8Array): void {
    if (!this.startWrite()) return
    this.ws.send(frame)
    this.counted(frame.length)
  }

  /**
   * Writes a complete websocket message (see `wsBinaryFrame`) straight to the TCP stream. Safe to mix
   * with `ws.send` because the relay runs without compression, so ws writes every frame synchronously too.
   */
  sendWire(wire: Buffer): void {
    if (this.stream === undefined || !this.startWrite()) return
    this.stream.write(wire)
    this.counted(wire.length)
  }

  /**
   * Sends one binary message made of `parts`, back to back, without joining them: the websocket header and
   * then each part go to the corked TCP stream, so a payload of megabytes is never copied on its way out.
   */
  sendParts(parts: readonly Uint8Array[]): void {
    let length = 0
    for (const part of parts) length += part.length
    // Not reached with ws over TCP; joined, it still goes out whole.
    if (this.stream === undefined) return this.send(Buffer.concat(parts, length))
    if (!this.startWrite()) return
    this.stream.write(wsBinaryHeader(length))
    for (const part of parts) this.stream.write(part)
    this.counted(length)
  }

  /** False when nothing may be written (closing, or too slow a reader: then closed with 4004); else corks. */
  private startWrite(): boolean {
    if (this.closing || this.ws.readyState !== OPEN) return false
    if (this.ws.bufferedAmount > this.ctx.limits.maxBufferedBytes) {
      this.ctx.metrics.rejected('slowConsumer')
      this.close(CloseCode.slowConsumer, 'slow consumer')
      return false
    }
    if (this.stream !== undefined && this.corkedTurn !== turn) {
      this.corkedTurn = turn
      corkUntilNextTurn(this.stream)
    }
    return true
  }

  private counted(bytes: number): void {
    this.ctx.metrics.messagesOut++
    this.ctx.metrics.bytesOut += bytes
  }

  close(code: number, reason: string): void {
    if (this.closing) return
    this.closing = true
    try {
      this.ws.close(code, reason)
    } catch {
      this.ws.terminate()
      return
    }
    this.terminateTimer = setTimeout(() => this.ws.terminate(), TERMINATE_AFTER_MS)
    this.terminateTimer.unref()
  }
}
