import type { WebSocket } from 'ws'
import type { RelayContext } from './context.js'
import { RateLimiter } from './rate-limit.js'
import { ManagedSocket } from './socket.js'

/** What every kind of client connection shares: its managed socket, its rate limiter and the ways to write. */
export abstract class ClientSocket {
  protected readonly socket: ManagedSocket
  protected readonly limiter: RateLimiter

  constructor(ws: WebSocket, protected readonly ctx: RelayContext) {
    this.socket = new ManagedSocket(ws, ctx, () => this.closed())
    this.limiter = new RateLimiter(ctx.limits.maxMessagesPerSecond)
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

  close(code: number, reason: string): void {
    this.socket.close(code, reason)
  }

  terminate(): void {
    this.socket.ws.terminate()
  }

  /** The socket closed (either side): leave rooms, stop timers. */
  protected abstract closed(): void
}
