import type { WebSocket } from 'ws'
import { CloseCode } from '@driftless/protocol'
import type { RelayContext } from './context.js'

const TERMINATE_AFTER_MS = 5000

/**
 * A websocket as the relay drives it: bounded send buffer, close with a code then force the TCP
 * connection down if the peer never completes the closing handshake, an 'error' listener always attached.
 */
export class ManagedSocket {
  lastSeen = performance.now()
  /** True once a close was started, locally or by the peer. */
  closing = false
  private terminateTimer: NodeJS.Timeout | null = null

  constructor(readonly ws: WebSocket, private readonly ctx: RelayContext, onClosed: () => void) {
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
    if (this.closing) return
    if (this.ws.bufferedAmount > this.ctx.limits.maxBufferedBytes) {
      this.ctx.metrics.rejected('slowConsumer')
      this.close(CloseCode.slowConsumer, 'slow consumer')
      return
    }
    this.ws.send(frame)
    this.ctx.metrics.messagesOut++
    this.ctx.metrics.bytesOut += frame.length
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
