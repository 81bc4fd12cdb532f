import type { RawData, WebSocket } from 'ws'
import { CloseCode, ErrorCode } from '@driftless/protocol'
import type { RelayContext } from './context.js'
import { RateLimiter } from './rate-limit.js'
import { ManagedSocket } from './socket.js'

/** Frames a connection holds while it cannot handle them yet; more than this is a flood. */
const MAX_INBOX = 1024

/**
 * What every kind of client connection shares: its managed socket and rate limiter, the ways to write, and
 * the receive path. Every frame is counted, dropped while closing, refused as text or as a flood, and held
 * in a bounded inbox while the connection `holds` (an async step runs, the document loads), so frames are
 * handled in the order they came.
 */
export abstract class ClientSocket {
  protected readonly socket: ManagedSocket
  protected readonly limiter: RateLimiter
  readonly #inbox: Uint8Array[] = []

  constructor(ws: WebSocket, protected readonly ctx: RelayContext) {
    this.socket = new ManagedSocket(ws, ctx, () => {
      this.#inbox.length = 0
      this.closed()
    })
    this.limiter = new RateLimiter(ctx.limits.maxMessagesPerSecond)
    ws.on('message', (data: RawData, isBinary: boolean) => this.#receive(data as Buffer, isBinary))
  }

  get lastSeen(): number {
    return this.socket.lastSeen
  }

  send(frame: Uint8Array): void {
    this.socket.send(frame)
  }

  /** Sends a complete websocket message built by `wsBinaryFrame`, shared between subscribers. */
  sendWire(wire: Buffer): void {
    this.socket.sendWire(wire)
  }

  /** Sends one message made of `parts` without joining them (for a large payload: see `encodeUpdateParts`). */
  sendParts(parts: readonly Uint8Array[]): void {
    this.socket.sendParts(parts)
  }

  close(code: number, reason: string): void {
    this.socket.close(code, reason)
  }

  terminate(): void {
    this.socket.ws.terminate()
  }

  /** Handles the frames held while the connection could not, until it holds again. */
  protected drainInbox(): void {
    while (!this.holds && this.#inbox.length > 0 && !this.socket.closing) this.handle(this.#inbox.shift()!)
  }

  /** While true, frames wait in the inbox (call `drainInbox` once it turns false). */
  protected abstract get holds(): boolean
  /** One binary frame, in order. */
  protected abstract handle(frame: Uint8Array): void
  /** A text frame: not part of either protocol. */
  protected abstract refuseText(): void
  /** A frame dropped for going over the rate limit (the limit is not exceeded for long: the socket stays). */
  protected abstract refuseFlooded(frame: Uint8Array): void
  /** The socket closed (either side): leave rooms, stop timers. */
  protected abstract closed(): void

  #receive(data: Buffer, isBinary: boolean): void {
    const { ctx } = this
    this.socket.lastSeen = performance.now()
    ctx.metrics.messagesIn++
    ctx.metrics.bytesIn += data.length
    if (this.socket.closing || ctx.closing) return
    if (!isBinary) return this.refuseText()
    if (!this.limiter.take() || this.#inbox.length >= MAX_INBOX) {
      if (!this.limiter.sustained) return this.refuseFlooded(data)
      ctx.metrics.rejected(ErrorCode.rateLimited)
      return this.close(CloseCode.rateLimited, 'rate limited')
    }
    if (this.holds) this.#inbox.push(data)
    else this.handle(data)
  }
}
