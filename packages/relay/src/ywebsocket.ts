import type { WebSocket } from 'ws'
import { clientOrigin } from './hooks/connection.js'
import * as decoding from 'lib0/decoding'
import { CloseCode, ErrorCode } from '@driftless/protocol'
import type { AckTarget } from './commit-queue.js'
import type { LiveConnection, RelayContext } from './context.js'
import { parseAwareness } from './awareness.js'
import { yAwarenessFrame, YMessage, yStep1Frame, yStep2Frame, YSync } from './frames.js'
import type { Access } from './options.js'
import type { Room, Subscriber } from './room.js'
import { isDeleted } from './errors.js'
import { ClientSocket } from './client-socket.js'
import { TokenExpiry } from './token-expiry.js'
import { isValidUpdate } from './validate.js'


/**
 * An unmodified y-websocket client (`ws://host/<docName>`, no `driftless` subprotocol), served with the
 * standard y-websocket protocol on the same room as Driftless subscribers of that document. Its updates are
 * committed like any other, but that protocol has no acks and no errors: refused messages are dropped (and
 * counted in `driftless_rejections_total`), protocol violations close the socket.
 */
export class YWebsocketConnection extends ClientSocket implements Subscriber, AckTarget, LiveConnection {
  readonly kind = 'ywebsocket'
  private readonly room: Room
  private readonly expiry = new TokenExpiry()

  constructor(
    ws: WebSocket, docId: string, private readonly access: Access, expiresAt: number, ctx: RelayContext,
    /** Recorded with its updates for version history. */
    private readonly author: string,
  ) {
    super(ws, ctx)
    ws.on('pong', () => {
      this.socket.lastSeen = performance.now()
    })
    if (expiresAt > 0) this.expiry.arm(expiresAt, () => this.close(CloseCode.tokenExpired, 'token expired'))
    this.room = ctx.rooms.join(docId, this)
    const start = (): void => {
      if (this.socket.closing) return
      // As y-websocket's own server does: our state vector first, then the known awareness states.
      this.send(yStep1Frame(this.room.stateVector()))
      const awareness = this.room.awareness.snapshot()
      if (awareness !== null) this.send(yAwarenessFrame(awareness))
      this.drainInbox()
    }
    if (this.room.loaded) start()
    else {
      this.room.ready.then(start, (error: unknown) => {
        if (isDeleted(error)) this.documentDeleted()
        else this.close(CloseCode.internalError, 'the document could not be loaded')
      })
    }
  }

  /** y-websocket clients answer ws pings by themselves; a pong counts as a sign of life. */
  heartbeat(): void {
    if (!this.socket.closing) this.socket.ws.ping()
  }

  committed(): void {}

  /** y-websocket has no error message: the close code says it (and stops the client's edits reaching storage). */
  documentDeleted(): void {
    this.close(CloseCode.documentDeleted, 'document deleted')
  }

  /** No way to tell a y-websocket client; closing makes it reconnect and send its state again. */
  commitFailed(): void {
    this.close(CloseCode.internalError, 'storage failure')
  }

  /** Frames wait until the document is loaded. */
  protected get holds(): boolean {
    return !this.room.loaded
  }

  protected refuseText(): void {
    this.close(CloseCode.protocolError, 'text frames are not part of the protocol')
  }

  /** y-websocket has no error message: the frame is dropped and counted. */
  protected refuseFlooded(): void {
    this.ctx.metrics.rejected(ErrorCode.rateLimited)
  }

  protected handle(frame: Uint8Array): void {
    try {
      const decoder = decoding.createDecoder(frame)
      const type = decoding.readVarUint(decoder)
      if (type === YMessage.sync) {
        const syncType = decoding.readVarUint(decoder)
        const payload = decoding.readVarUint8Array(decoder)
        if (syncType === YSync.step1) return this.send(yStep2Frame(this.room.diff(payload)))
        if (syncType === YSync.step2 || syncType === YSync.update) return this.receiveUpdate(payload.slice())
        return this.close(CloseCode.protocolError, 'unknown sync message')
      }
      if (type === YMessage.awareness) return this.receiveAwareness(decoding.readVarUint8Array(decoder).slice())
      if (type === YMessage.queryAwareness) {
        const awareness = this.room.awareness.snapshot()
        if (awareness !== null) this.send(yAwarenessFrame(awareness))
        return
      }
      if (type === YMessage.auth) return
      this.close(CloseCode.protocolError, 'unknown message type')
    } catch {
      this.ctx.metrics.rejected(ErrorCode.malformedMessage)
      this.close(CloseCode.protocolError, 'malformed message')
    }
  }

  private receiveUpdate(update: Uint8Array): void {
    if (this.access !== 'write') return this.ctx.metrics.rejected(ErrorCode.readOnly)
    if (update.length === 2 && update[0] === 0 && update[1] === 0) return
    if (!isValidUpdate(update)) return this.ctx.metrics.rejected(ErrorCode.invalidUpdate)
    this.ctx.rooms.accept(this.room, update, this, this, 0, clientOrigin(this), this.author)
  }

  private receiveAwareness(update: Uint8Array): void {
    if (this.access !== 'write' && !this.ctx.limits.readersMaySendAwareness) return this.ctx.metrics.rejected(ErrorCode.readOnly)
    const entries = parseAwareness(update)
    if (entries === null) return this.ctx.metrics.rejected(ErrorCode.invalidUpdate)
    if (this.room.receiveAwareness(update, entries, this) !== null) this.ctx.metrics.rejected(ErrorCode.awarenessLimit)
  }

  protected closed(): void {
    this.expiry.clear()
    this.ctx.rooms.leave(this.room, this)
    this.ctx.connections.delete(this)
  }
}
