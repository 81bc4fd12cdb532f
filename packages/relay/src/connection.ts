import type { IncomingMessage } from 'node:http'
import type { WebSocket } from 'ws'
import {
  CloseCode, decodeMessage, encodeMessage, ErrorCode, PROTOCOL_VERSION, type Message,
} from '@driftless/protocol'
import type { Grant } from './auth.js'
import { ClientSocket } from './client-socket.js'
import type { LiveConnection, RelayContext } from './context.js'
import type { RelayError } from './errors.js'
import { DocumentSubscriptions, type SubscriptionOwner } from './subscriptions.js'
import { TokenExpiry } from './token-expiry.js'
import { answerHistoryRequest, isHistoryRequest, type HistoryRequest } from './versions/requests.js'

/**
 * One Driftless client socket: hello and token (verification, in-band refresh, expiry with a grace period)
 * and the decoding of every frame; its documents are `DocumentSubscriptions`'. Messages are handled in
 * order: while an async step runs (token verification, the `authorize` hook) later frames wait in the inbox.
 */
export class DriftlessConnection extends ClientSocket implements SubscriptionOwner, LiveConnection {
  readonly kind = 'driftless'
  private readonly documents: DocumentSubscriptions
  private greeted = false
  private current: Grant | null = null
  private expired = false
  private busy = false
  /** Only a token with an expiry arms one. */
  private expiry: TokenExpiry | null = null
  private graceTimer: NodeJS.Timeout | null = null

  constructor(ws: WebSocket, request: IncomingMessage, ctx: RelayContext) {
    super(ws, ctx)
    // Without an `authorize` hook nothing reads the upgrade request again: let it go (about 1.5 KB per connection).
    this.documents = new DocumentSubscriptions(this, ctx, ctx.auth.readsRequest ? request : null)
  }

  get closing(): boolean {
    return this.socket.closing
  }

  get grant(): Grant | null {
    return this.expired ? null : this.current
  }

  heartbeat(): void {}

  committed(docId: string, ackId: number): void {
    this.send(encodeMessage({ type: 'ack', docId, ackId }))
  }

  commitFailed(docId: string, ackId: number, error: RelayError): void {
    this.sendError(docId, error.code, 'the update was not committed; send it again', ackId)
  }

  documentDeleted(docId: string): void {
    this.documents.documentDeleted(docId)
  }

  sendError(docId: string, code: ErrorCode, message: string, ackId: number): void {
    this.ctx.metrics.rejected(code)
    this.send(encodeMessage({ type: 'error', docId, code, message, ackId }))
  }

  refuseUngranted(docId: string, ackId: number): void {
    if (this.expired) this.sendError(docId, ErrorCode.tokenExpired, 'the token expired; send auth with a fresh one', ackId)
    else this.sendError(docId, ErrorCode.unauthorized, 'not authenticated', ackId)
  }

  runAsync(step: Promise<void>): void {
    this.busy = true
    step.catch((error: unknown) => {
      this.ctx.logger.error({ err: error }, 'connection step failed')
      this.sendError('', ErrorCode.internal, 'internal error', 0)
    }).finally(() => {
      this.busy = false
      this.drainInbox()
    }).catch((error: unknown) => {
      // A frame handled from the inbox threw: the socket cannot be trusted to be in order any more.
      this.ctx.logger.error({ err: error }, 'handling a held frame failed')
      this.close(CloseCode.internalError, 'internal error')
    })
  }

  protected get holds(): boolean {
    return this.busy
  }

  protected refuseText(): void {
    this.violation('text frames are not part of the protocol')
  }

  protected refuseFlooded(frame: Uint8Array): void {
    const decoded = decodeMessage(frame)
    const message = decoded.ok ? decoded.message : null
    const docId = message !== null && 'docId' in message ? message.docId : ''
    const ackId = message !== null && 'ackId' in message ? message.ackId : 0
    this.sendError(docId, ErrorCode.rateLimited, 'too many messages; this one was dropped', ackId)
  }

  protected handle(frame: Uint8Array): void {
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
        return this.documents.subscribe(message.docId, message.stateVector)
      case 'unsubscribe':
        return this.documents.unsubscribe(message.docId)
      case 'sync-step-1':
        return this.documents.syncStep1(message.docId, message.stateVector)
      case 'sync-step-2':
      case 'update':
        return this.documents.receiveUpdate(message.docId, message.update, message.ackId)
      case 'awareness':
        return this.documents.receiveAwareness(message.docId, message.update)
      default:
        if (isHistoryRequest(message)) return this.historyRequest(message)
        // hello twice, or relay → client messages (welcome, ack, error, pong, history results).
        return this.violation(`unexpected ${message.type} from a client`)
    }
  }

  /** Version history: answered when done, without holding back later frames. */
  private historyRequest(request: HistoryRequest): void {
    const grant = this.grant
    const access = this.expired ? 'expired' as const : grant === null ? 'unauthenticated' as const
      : this.documents.accessOf(request.docId) ?? (this.ctx.auth.accessNow(grant, request.docId) === 'deny' ? 'deny' as const : 'notSubscribed' as const)
    const requester = { access, subject: grant?.subject ?? '' }
    void answerHistoryRequest(this.ctx.versions, request, requester, reply => {
      if (reply.type === 'version-error') this.ctx.metrics.rejected(reply.code)
      this.send(encodeMessage(reply))
    }, this.ctx.logger)
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
    await this.documents.recheck(result.grant)
  }

  private accept(grant: Grant): void {
    this.current = grant
    this.expired = false
    this.clearTimers()
    if (grant.expiresAt > 0) (this.expiry ??= new TokenExpiry()).arm(grant.expiresAt, () => this.expire())
    this.send(encodeMessage({ type: 'welcome', version: PROTOCOL_VERSION, expiresAt: grant.expiresAt }))
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

  private violation(why: string): void {
    this.sendError('', ErrorCode.malformedMessage, why, 0)
    this.close(CloseCode.protocolError, 'protocol error')
  }

  private clearTimers(): void {
    this.expiry?.clear()
    if (this.graceTimer !== null) clearTimeout(this.graceTimer)
    this.graceTimer = null
  }

  protected closed(): void {
    this.clearTimers()
    this.documents.leaveAll()
    this.ctx.connections.delete(this)
  }
}
