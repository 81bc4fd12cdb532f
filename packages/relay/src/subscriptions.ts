import type { IncomingMessage } from 'node:http'
import { encodeMessage, encodeUpdateParts, ErrorCode } from '@driftless/protocol'
import type { Grant } from './auth.js'
import { parseAwareness } from './awareness.js'
import type { AckTarget } from './commit-queue.js'
import type { RelayContext } from './context.js'
import { isDeleted } from './errors.js'
import { clientOrigin } from './hooks/connection.js'
import type { Access } from './options.js'
import { isEmptyUpdate, type Room, type Subscriber } from './room.js'
import { isValidUpdate } from './validate.js'

interface Subscription { room: Room; access: Access }

/** The connection a set of subscriptions belongs to: how they answer, and what its token grants now. */
export interface SubscriptionOwner extends Subscriber, AckTarget {
  readonly closing: boolean
  /** The current grant; null before hello or once the token expired (document messages are refused then). */
  readonly grant: Grant | null
  sendError(docId: string, code: ErrorCode, message: string, ackId: number): void
  /** Why a document message is refused without a grant (not authenticated, or the token expired). */
  refuseUngranted(docId: string, ackId: number): void
  /** Runs an async step with the connection's later frames held back. */
  runAsync(step: Promise<void>): void
  /** Sends one message made of `parts` without joining them. */
  sendParts(parts: readonly Uint8Array[]): void
}

/** From this size on, a sync reply's update is written after its header instead of copied into one frame. */
const LARGE_REPLY_BYTES = 64 * 1024

/**
 * One Driftless connection's documents: subscribe (with the grant's access, or the `authorize` hook's),
 * the sync replies, and every document message checked against grant and subscription before it reaches
 * a room.
 */
export class DocumentSubscriptions {
  readonly #open = new Map<string, Subscription>()
  /**
   * Documents deleted while subscribed here: their late updates get `documentDeleted`, not `notSubscribed`.
   * Made on the first deletion: most connections never see one.
   */
  #deleted: Set<string> | null = null

  /** `request` is the upgrade request when the `authorize` hook may be asked (see `Authenticator.readsRequest`). */
  constructor(
    private readonly owner: SubscriptionOwner,
    private readonly ctx: RelayContext,
    private readonly request: IncomingMessage | null,
  ) {}

  subscribe(docId: string, stateVector: Uint8Array): void {
    const grant = this.owner.grant
    if (grant === null) return this.owner.refuseUngranted(docId, 0)
    const existing = this.#open.get(docId)
    if (existing !== undefined) return this.#replyWhenReady(existing, stateVector, true)
    if (this.#open.size >= this.ctx.limits.maxDocumentsPerConnection) {
      return this.owner.sendError(docId, ErrorCode.tooManyDocuments, 'unsubscribe from a document first', 0)
    }
    const access = this.ctx.auth.accessNow(grant, docId)
    if (access !== undefined) return this.#subscribe(docId, access, stateVector)
    this.owner.runAsync(this.ctx.auth.access(grant, docId, this.request).then(hooked => {
      if (!this.owner.closing && this.owner.grant === grant && !this.#open.has(docId)) this.#subscribe(docId, hooked, stateVector)
    }))
  }

  /** A client's sync-step-1 on a subscribed document: the diff it lacks. */
  syncStep1(docId: string, stateVector: Uint8Array): void {
    const subscription = this.#allowed(docId, 'read', 0)
    if (subscription !== null) this.#replyWhenReady(subscription, stateVector, false)
  }

  unsubscribe(docId: string): void {
    const subscription = this.#open.get(docId)
    if (subscription === undefined) return
    this.#open.delete(docId)
    this.ctx.rooms.leave(subscription.room, this.owner)
  }

  /** A new token may grant less: checks every open document again. */
  async recheck(grant: Grant): Promise<void> {
    for (const [docId, subscription] of this.#open) {
      const access = await this.ctx.auth.access(grant, docId, this.request)
      if (this.#open.get(docId) !== subscription) continue
      if (access === 'deny') {
        this.unsubscribe(docId)
        this.owner.sendError(docId, ErrorCode.forbidden, 'the new token does not grant this document', 0)
      } else subscription.access = access
    }
  }

  receiveUpdate(docId: string, update: Uint8Array, ackId: number): void {
    const subscription = this.#allowed(docId, 'write', ackId)
    if (subscription === null) return
    if (isEmptyUpdate(update)) {
      // Nothing new to commit, but the client may rely on what it was sent: ack once that is durable.
      if (ackId > 0) this.ctx.commits.ackWhenDurable(docId, this.owner, ackId)
      return
    }
    if (!isValidUpdate(update)) {
      return this.owner.sendError(docId, ErrorCode.invalidUpdate, 'not a valid Yjs update; it was dropped', ackId)
    }
    // The author is the verified token's `sub` (`#allowed` checked there is a grant): never the client's word.
    this.ctx.rooms.accept(subscription.room, update, this.owner, this.owner, ackId, clientOrigin(this.owner), this.owner.grant!.subject)
  }

  /** The access this connection subscribed `docId` with, if it did. */
  accessOf(docId: string): Access | undefined {
    return this.#open.get(docId)?.access
  }

  receiveAwareness(docId: string, update: Uint8Array): void {
    // No entries (the one byte of a zero count): a query for every state, which reading the document allows.
    const query = update.length === 1 && update[0] === 0
    const need = query || this.ctx.limits.readersMaySendAwareness ? 'read' : 'write'
    const subscription = this.#allowed(docId, need, 0)
    if (subscription === null) return
    if (query) return this.#sendAwarenessSnapshot(subscription.room)
    const entries = parseAwareness(update)
    if (entries === null) return this.owner.sendError(docId, ErrorCode.invalidUpdate, 'not a valid awareness update', 0)
    const refused = subscription.room.receiveAwareness(update, entries, this.owner)
    if (refused !== null) this.owner.sendError(docId, ErrorCode.awarenessLimit, `${refused}; those states were dropped`, 0)
  }

  /** The room of a deleted document already dropped the owner: tell the client. */
  documentDeleted(docId: string): void {
    if (this.#open.delete(docId)) this.#refuseDeleted(docId, 0)
  }

  /** The connection closed: leaves every room. */
  leaveAll(): void {
    for (const subscription of this.#open.values()) this.ctx.rooms.leave(subscription.room, this.owner)
    this.#open.clear()
  }

  #subscribe(docId: string, access: Access, stateVector: Uint8Array): void {
    if (access === 'deny') return this.owner.sendError(docId, ErrorCode.forbidden, 'the token does not grant this document', 0)
    // Subscribing again asks the relay again: the document may have been restored meanwhile.
    this.#deleted?.delete(docId)
    const subscription: Subscription = { room: this.ctx.rooms.join(docId, this.owner), access }
    // Keyed by the room's own copy of the id: each decoded frame brings a fresh string, and with it each
    // of a document's subscriptions would hold one more.
    this.#open.set(subscription.room.docId, subscription)
    this.#replyWhenReady(subscription, stateVector, true)
  }

  /** Every presence state the room holds, if any. */
  #sendAwarenessSnapshot(room: Room): void {
    const awareness = room.awareness.snapshot()
    if (awareness !== null) this.owner.send(encodeMessage({ type: 'awareness', docId: room.docId, update: awareness }))
  }

  /** Once the document is loaded: step 2 (the diff), and on subscribe also step 1 and awareness. */
  #replyWhenReady(subscription: Subscription, stateVector: Uint8Array, full: boolean): void {
    const { room } = subscription
    const current = (): boolean => this.#open.get(room.docId) === subscription && !this.owner.closing
    const reply = (): void => {
      if (!current()) return
      let update: Uint8Array
      try {
        update = room.diff(stateVector)
      } catch {
        return this.owner.sendError(room.docId, ErrorCode.invalidUpdate, 'the state vector does not decode', 0)
      }
      const step2 = { type: 'sync-step-2', docId: room.docId, update, ackId: 0 } as const
      // Encoding a document of megabytes into one frame would copy it twice (lib0's growing encoder, then
      // joining its chunks), and both copies raise the relay's memory for good: glibc keeps what it freed.
      if (update.length >= LARGE_REPLY_BYTES) this.owner.sendParts(encodeUpdateParts(step2))
      else this.owner.send(encodeMessage(step2))
      if (!full) return
      // The relay's state vector can take a while on a large document (a walk of its encoded state): let the
      // diff leave first, so the client applies it while this is worked out.
      setImmediate(() => {
        if (!current()) return
        this.owner.send(encodeMessage({ type: 'sync-step-1', docId: room.docId, stateVector: room.stateVector() }))
        this.#sendAwarenessSnapshot(room)
      })
    }
    if (room.loaded) return reply()
    room.ready.then(reply, (error: unknown) => {
      if (this.#open.get(room.docId) !== subscription) return
      this.#open.delete(room.docId)
      this.ctx.rooms.leave(room, this.owner)
      if (isDeleted(error)) return this.#refuseDeleted(room.docId, 0)
      this.owner.sendError(room.docId, ErrorCode.storageFailure, 'the document could not be loaded; subscribe again', 0)
    })
  }

  /** The subscription if the owner may `need` on `docId`; otherwise sends the right error. */
  #allowed(docId: string, need: 'read' | 'write', ackId: number): Subscription | null {
    const grant = this.owner.grant
    if (grant === null) {
      this.owner.refuseUngranted(docId, ackId)
      return null
    }
    const subscription = this.#open.get(docId)
    if (subscription === undefined) {
      if (this.#deleted?.has(docId) === true) this.#refuseDeleted(docId, ackId)
      else if (this.ctx.auth.accessNow(grant, docId) === 'deny') {
        this.owner.sendError(docId, ErrorCode.forbidden, 'the token does not grant this document', ackId)
      } else this.owner.sendError(docId, ErrorCode.notSubscribed, 'subscribe to the document first', ackId)
      return null
    }
    if (need === 'write' && subscription.access !== 'write') {
      this.owner.sendError(docId, ErrorCode.readOnly, 'the token grants only read access; the write was dropped', ackId)
      return null
    }
    return subscription
  }

  #refuseDeleted(docId: string, ackId: number): void {
    const deleted = (this.#deleted ??= new Set())
    if (deleted.size < this.ctx.limits.maxDocumentsPerConnection) deleted.add(docId)
    this.owner.sendError(docId, ErrorCode.documentDeleted, 'the document was deleted; nothing was stored', ackId)
  }
}
