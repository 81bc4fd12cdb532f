import type { IncomingMessage } from 'node:http'
import type { RawData, WebSocket } from 'ws'
import {
  CloseCode, decodeMessage, encodeMessage, ErrorCode, PROTOCOL_VERSION, type Message,
} from '@driftless/protocol'
import type { Grant } from './auth.js'
import { parseAwareness } from './awareness.js'
import type { AckTarget } from './commit-queue.js'
import { isDeleted, type RelayError } from './errors.js'
import type { LiveConnection, RelayContext } from './context.js'
import type { Access } from './options.js'
import { isEmptyUpdate, type Room, type Subscriber } from './room.js'
import { ClientSocket } from './client-socket.js'
import { isValidUpdate } from './validate.js'

interface Subscription { room: Room; access: Access }

const MAX_TIMER_MS = 2 ** 31 - 1
const MAX_INBOX = 1024

/**
 * One Driftless client socket: hello and token, per-document subscriptions, and every message checked
 * (rate, decoding, grant, subscription, validity) before it touches a room. Messages are handled in order;
 * while an async step runs (token verification, the `authorize` hook) later frames wait in a bounded inbox.
 */
export class DriftlessConnection extends ClientSocket implements Subscriber, AckTarget, LiveConnection {
  readonly kind = 'driftless'
  private readonly subscriptions = new Map<string, Subscription>()
  /** Documents deleted while subscribed here: their late updates get `documentDeleted`, not `notSubscribed`. */
  private readonly deletedDocs = new Set<string>()
  private greeted = false
  private grant: Grant | null = null
  private expired = false
  private busy = false
  private readonly inbox: Uint8Array[] = []
  private expiryTimer: NodeJS.Timeout | null = null
  private graceTimer: NodeJS.Timeout | null = null

  constructor(ws: WebSocket, private readonly request: IncomingMessage, ctx: RelayContext) {
    super(ws, ctx)
    ws.on('message', (data: RawData, isBinary: boolean) => this.receive(data as Buffer, isBinary))
  }

  heartbeat(): void {}

  committed(docId: string, ackId: number): void {
    this.send(encodeMessage({ type: 'ack', docId, ackId }))
  }

  commitFailed(docId: string, ackId: number, error: RelayError): void {
    this.sendError(docId, error.code, 'the update was not committed; send it again', ackId)
  }

  private receive(data: Buffer, isBinary: boolean): void {
    const { ctx } = this
    this.socket.lastSeen = performance.now()
    ctx.metrics.messagesIn++
    ctx.metrics.bytesIn += data.length
    if (this.socket.closing || ctx.closing) return
    if (!isBinary) return this.violation('text frames are not part of the protocol')
    if (!this.limiter.take() || this.inbox.length >= MAX_INBOX) return this.rateLimited(data)
    if (this.busy) this.inbox.push(data)
    else this.handle(data)
  }

  private rateLimited(data: Uint8Array): void {
    if (this.limiter.sustained) {
      this.ctx.metrics.rejected(ErrorCode.rateLimited)
      return this.close(CloseCode.rateLimited, 'rate limited')
    }
    const decoded = decodeMessage(data)
    const message = decoded.ok ? decoded.message : null
    const docId = message !== null && 'docId' in message ? message.docId : ''
    const ackId = message !== null && 'ackId' in message ? message.ackId : 0
    this.sendError(docId, ErrorCode.rateLimited, 'too many messages; this one was dropped', ackId)
  }

  private handle(frame: Uint8Array): void {
    const decoded = decodeMessage(frame)
    if (!decoded.ok) {
      if (decoded.error.code === 'unknown-message-type') {
        return this.sendError('', ErrorCode.unknownMessageType, decoded.error.message, 0)
      }
      return this.violation(decoded.error.message)
    }
    const message = decoded.message
    if (!this.greeted) {
      if (message.type !== 'hello') return this.violation('the first message must be hello')
      return this.runAsync(this.hello(message.version, message.token))
    }
    this.dispatch(message)
  }

  private dispatch(message: Message): void {
    switch (message.type) {
      case 'ping':
        return this.send(encodeMessage({ type: 'pong', nonce: message.nonce }))
      case 'auth':
        return this.runAsync(this.refresh(message.token))
      case 'subscribe':
        return this.subscribe(message.docId, message.stateVector)
      case 'unsubscribe':
        return this.unsubscribe(message.docId)
      case 'sync-step-1': {
        const subscription = this.allowed(message.docId, 'read', 0)
        if (subscription !== null) this.replyWhenReady(subscription, message.stateVector, false)
        return
      }
      case 'sync-step-2':
      case 'update':
        return this.receiveUpdate(message.docId, message.update, message.ackId)
      case 'awareness':
        return this.receiveAwareness(message.docId, message.update)
      default:
        // hello twice, or relay → client messages (welcome, ack, error, pong).
        return this.violation(`unexpected ${message.type} from a client`)
    }
  }

  /** Runs an async step with later frames held back, so messages keep their order. */
  private runAsync(step: Promise<void>): void {
    this.busy = true
    step.catch((error: unknown) => {
      this.ctx.logger.error({ err: error }, 'connection step failed')
      this.sendError('', ErrorCode.internal, 'internal error', 0)
    }).finally(() => {
      this.busy = false
      while (!this.busy && this.inbox.length > 0 && !this.socket.closing) this.handle(this.inbox.shift()!)
    }).catch(() => {})
  }

  private async hello(version: number, token: string): Promise<void> {
    if (version !== PROTOCOL_VERSION) {
      this.sendError('', ErrorCode.unsupportedVersion, `this relay speaks version ${PROTOCOL_VERSION}`, 0)
      return this.close(CloseCode.unsupportedVersion, 'unsupported version')
    }
    const result = await this.ctx.auth.verify(token)
    if (this.socket.closing) return
    this.greeted = true
    if (result.ok) return this.accept(result.grant)
    if (result.reason === 'tokenExpired') return this.expire()
    this.sendError('', ErrorCode.unauthorized, result.message, 0)
    this.close(CloseCode.unauthorized, 'unauthorized')
  }

  private async refresh(token: string): Promise<void> {
    const result = await this.ctx.auth.verify(token)
    if (this.socket.closing) return
    if (!result.ok) {
      return this.sendError('', result.reason === 'tokenExpired' ? ErrorCode.tokenExpired : ErrorCode.unauthorized, result.message, 0)
    }
    this.accept(result.grant)
    // The new token may grant less: re-check every open document.
    for (const [docId, subscription] of this.subscriptions) {
      const access = await this.ctx.auth.access(result.grant, docId, this.request)
      if (this.subscriptions.get(docId) !== subscription) continue
      if (access === 'deny') {
        this.unsubscribe(docId)
        this.sendError(docId, ErrorCode.forbidden, 'the new token does not grant this document', 0)
      } else subscription.access = access
    }
  }

  private accept(grant: Grant): void {
    this.grant = grant
    this.expired = false
    this.clearTimers()
    if (grant.expiresAt > 0) this.armExpiry(grant.expiresAt)
    this.send(encodeMessage({ type: 'welcome', version: PROTOCOL_VERSION, expiresAt: grant.expiresAt }))
  }

  private armExpiry(expiresAt: number): void {
    const delay = expiresAt * 1000 - Date.now()
    if (delay <= 0) return this.expire()
    this.expiryTimer = setTimeout(() => {
      this.expiryTimer = null
      this.armExpiry(expiresAt)
    }, Math.min(delay, MAX_TIMER_MS))
  }

  /** The token ran out: refuse document messages, and close unless a fresh token comes within the grace. */
  private expire(): void {
    this.expired = true
    this.sendError('', ErrorCode.tokenExpired, 'the token expired; send auth with a fresh one', 0)
    this.graceTimer = setTimeout(() => {
      this.graceTimer = null
      this.close(CloseCode.tokenExpired, 'token expired')
    }, this.ctx.limits.tokenGraceMs)
  }

  private subscribe(docId: string, stateVector: Uint8Array): void {
    if (this.expired || this.grant === null) return this.refuseExpired(docId, 0)
    const existing = this.subscriptions.get(docId)
    if (existing !== undefined) return this.replyWhenReady(existing, stateVector, true)
    if (this.subscriptions.size >= this.ctx.limits.maxDocumentsPerConnection) {
      return this.sendError(docId, ErrorCode.tooManyDocuments, 'unsubscribe from a document first', 0)
    }
    const access = this.ctx.auth.accessNow(this.grant, docId)
    if (access !== undefined) return this.open(docId, access, stateVector)
    const grant = this.grant
    this.runAsync(this.ctx.auth.access(grant, docId, this.request).then(hooked => {
      if (!this.socket.closing && this.grant === grant && !this.subscriptions.has(docId)) this.open(docId, hooked, stateVector)
    }))
  }

  private open(docId: string, access: Access, stateVector: Uint8Array): void {
    if (access === 'deny') return this.sendError(docId, ErrorCode.forbidden, 'the token does not grant this document', 0)
    // Subscribing again asks the relay again: the document may have been restored meanwhile.
    this.deletedDocs.delete(docId)
    const room = this.ctx.rooms.join(docId, this)
    const subscription: Subscription = { room, access }
    this.subscriptions.set(docId, subscription)
    this.replyWhenReady(subscription, stateVector, true)
  }

  /** Once the document is loaded: step 2 (the diff), and on subscribe also step 1 and awareness. */
  private replyWhenReady(subscription: Subscription, stateVector: Uint8Array, full: boolean): void {
    const { room } = subscription
    const reply = (): void => {
      if (this.subscriptions.get(room.docId) !== subscription || this.socket.closing) return
      let update: Uint8Array
      try {
        update = room.diff(stateVector)
      } catch {
        return this.sendError(room.docId, ErrorCode.invalidUpdate, 'the state vector does not decode', 0)
      }
      this.send(encodeMessage({ type: 'sync-step-2', docId: room.docId, update, ackId: 0 }))
      if (!full) return
      // The relay's state vector can take a while on a large document (a walk of its encoded state): let the
      // diff leave first, so the client applies it while this is worked out.
      setImmediate(() => {
        if (this.subscriptions.get(room.docId) !== subscription || this.socket.closing) return
        this.send(encodeMessage({ type: 'sync-step-1', docId: room.docId, stateVector: room.stateVector() }))
        const awareness = room.awareness.snapshot()
        if (awareness !== null) this.send(encodeMessage({ type: 'awareness', docId: room.docId, update: awareness }))
      })
    }
    if (room.loaded) return reply()
    room.ready.then(reply, (error: unknown) => {
      if (this.subscriptions.get(room.docId) !== subscription) return
      this.subscriptions.delete(room.docId)
      this.ctx.rooms.leave(room, this)
      if (isDeleted(error)) return this.refuseDeleted(room.docId, 0)
      this.sendError(room.docId, ErrorCode.storageFailure, 'the document could not be loaded; subscribe again', 0)
    })
  }

  private unsubscribe(docId: string): void {
    const subscription = this.subscriptions.get(docId)
    if (subscription === undefined) return
    this.subscriptions.delete(docId)
    this.ctx.rooms.leave(subscription.room, this)
  }

  /** The subscription if this connection may `need` on `docId`; otherwise sends the right error. */
  private allowed(docId: string, need: 'read' | 'write', ackId: number): Subscription | null {
    if (this.expired || this.grant === null) {
      this.refuseExpired(docId, ackId)
      return null
    }
    const subscription = this.subscriptions.get(docId)
    if (subscription === undefined) {
      if (this.deletedDocs.has(docId)) this.refuseDeleted(docId, ackId)
      else if (this.ctx.auth.accessNow(this.grant, docId) === 'deny') {
        this.sendError(docId, ErrorCode.forbidden, 'the token does not grant this document', ackId)
      } else this.sendError(docId, ErrorCode.notSubscribed, 'subscribe to the document first', ackId)
      return null
    }
    if (need === 'write' && subscription.access !== 'write') {
      this.sendError(docId, ErrorCode.readOnly, 'the token grants only read access; the write was dropped', ackId)
      return null
    }
    return subscription
  }

  private receiveUpdate(docId: string, update: Uint8Array, ackId: number): void {
    const subscription = this.allowed(docId, 'write', ackId)
    if (subscription === null) return
    if (isEmptyUpdate(update)) {
      // Nothing new to commit, but the client may rely on what it was sent: ack once that is durable.
      if (ackId > 0) this.ctx.commits.ackWhenDurable(docId, this, ackId)
      return
    }
    if (!isValidUpdate(update)) {
      return this.sendError(docId, ErrorCode.invalidUpdate, 'not a valid Yjs update; it was dropped', ackId)
    }
    this.ctx.rooms.accept(subscription.room, update, this, this, ackId)
  }

  private receiveAwareness(docId: string, update: Uint8Array): void {
    const need = this.ctx.limits.readersMaySendAwareness ? 'read' : 'write'
    const subscription = this.allowed(docId, need, 0)
    if (subscription === null) return
    const entries = parseAwareness(update)
    if (entries === null) return this.sendError(docId, ErrorCode.invalidUpdate, 'not a valid awareness update', 0)
    const refused = subscription.room.receiveAwareness(update, entries, this)
    if (refused !== null) this.sendError(docId, ErrorCode.awarenessLimit, `${refused}; those states were dropped`, 0)
  }

  /** Called by the room of a deleted document, which already dropped this subscriber. */
  documentDeleted(docId: string): void {
    if (!this.subscriptions.delete(docId)) return
    this.refuseDeleted(docId, 0)
  }

  private refuseDeleted(docId: string, ackId: number): void {
    if (this.deletedDocs.size < this.ctx.limits.maxDocumentsPerConnection) this.deletedDocs.add(docId)
    this.sendError(docId, ErrorCode.documentDeleted, 'the document was deleted; nothing was stored', ackId)
  }

  private refuseExpired(docId: string, ackId: number): void {
    if (this.expired) this.sendError(docId, ErrorCode.tokenExpired, 'the token expired; send auth with a fresh one', ackId)
    else this.sendError(docId, ErrorCode.unauthorized, 'not authenticated', ackId)
  }

  private sendError(docId: string, code: ErrorCode, message: string, ackId: number): void {
    this.ctx.metrics.rejected(code)
    this.send(encodeMessage({ type: 'error', docId, code, message, ackId }))
  }

  private violation(why: string): void {
    this.sendError('', ErrorCode.malformedMessage, why, 0)
    this.close(CloseCode.protocolError, 'protocol error')
  }

  private clearTimers(): void {
    if (this.expiryTimer !== null) clearTimeout(this.expiryTimer)
    if (this.graceTimer !== null) clearTimeout(this.graceTimer)
    this.expiryTimer = this.graceTimer = null
  }

  protected closed(): void {
    this.clearTimers()
    this.inbox.length = 0
    for (const subscription of this.subscriptions.values()) this.ctx.rooms.leave(subscription.room, this)
    this.subscriptions.clear()
    this.ctx.connections.delete(this)
  }
}
