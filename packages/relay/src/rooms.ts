import type { Logger } from 'pino'
import { ErrorCode } from '@driftless/protocol'
import type { AwarenessLimits } from './awareness.js'
import type { RelayBroker } from './broker/types.js'
import type { AckTarget, CommitQueue } from './commit-queue.js'
import { isDeleted, RelayError } from './errors.js'
import { clientOrigin } from './hooks/connection.js'
import type { CommitOrigin } from './hooks/types.js'
import { EMPTY_UPDATE, Room, type Subscriber } from './room.js'
import type { RelayStorage, StoredUpdate } from './storage/types.js'
import { mergeUpdates } from './merge-updates.js'

export interface RoomsDeps {
  storage: RelayStorage
  broker: RelayBroker
  commits: CommitQueue
  logger: Logger
  idleMs: number
  awareness: AwarenessLimits
  /** A document was loaded with this stored log (compaction accounting). */
  onLoaded(docId: string, rows: readonly StoredUpdate[]): void
  onEvicted(docId: string): void
  /** A document storage does not have is opening: its seed (already committed), or null. */
  seed(docId: string): Promise<Uint8Array | null>
  onJoined(docId: string, subscriber: Subscriber): void
  onLeft(docId: string, subscriber: Subscriber): void
}

/**
 * The open documents: opens a room on first subscribe (broker subscription first, then the stored log),
 * routes accepted updates to fan-out, broker and commit queue, and evicts rooms left without subscribers.
 */
export class Rooms {
  private readonly rooms = new Map<string, Room>()

  constructor(private readonly deps: RoomsDeps) {}

  get size(): number {
    return this.rooms.size
  }

  /** Rooms waiting out their idle grace period. */
  get idleCount(): number {
    let count = 0
    for (const room of this.rooms.values()) if (room.evictTimer !== null) count++
    return count
  }

  /** The document's room if it is in memory (version history reads its state without opening one). */
  get(docId: string): Room | undefined {
    return this.rooms.get(docId)
  }

  /** Adds a subscriber to a document, opening it if needed; wait on `room.ready` before syncing. */
  join(docId: string, subscriber: Subscriber): Room {
    let room = this.rooms.get(docId)
    if (room === undefined) {
      room = new Room(docId, this.deps.awareness, this.deps.logger, () => this.deps.commits.hasPending(docId))
      this.rooms.set(docId, room)
      void this.load(room)
    }
    if (room.evictTimer !== null) {
      clearTimeout(room.evictTimer)
      room.evictTimer = null
    }
    if (!room.subscribers.has(subscriber)) {
      room.subscribers.add(subscriber)
      this.deps.onJoined(docId, subscriber)
    }
    return room
  }

  /** Removes a subscriber, tells the others its awareness states are gone, and schedules eviction. */
  leave(room: Room, subscriber: Subscriber): void {
    if (!room.subscribers.delete(subscriber)) return
    this.deps.onLeft(room.docId, subscriber)
    const removal = room.awareness.removeOwner(subscriber)
    if (removal !== null) room.broadcastAwareness(removal, subscriber)
    if (room.subscribers.size > 0 || room.evicted) return
    room.evictTimer = setTimeout(() => this.evict(room), this.deps.idleMs)
    room.evictTimer.unref()
  }

  /**
   * Takes a client's (already checked) update: the commit queue (for the ack), fan-out, broker. Queued for
   * commit first, so that the room knows a commit will carry its fan-out.
   */
  accept(
    room: Room, update: Uint8Array, origin: Subscriber, target: AckTarget | null, ackId: number,
    commitOrigin: CommitOrigin = clientOrigin(origin), author?: string,
  ): void {
    this.deps.commits.enqueue(room.docId, update, target, ackId, commitOrigin, author)
    room.add(update, origin)
    this.deps.broker.publish(room.docId, update).catch((error: unknown) => {
      this.deps.logger.warn({ err: error, docId: room.docId }, 'broker publish failed')
    })
  }

  /**
   * The document was deleted (its tombstone is committed): every subscriber is told and removed, updates
   * queued for fan-out are dropped, and the room leaves memory.
   */
  dropDeleted(docId: string): void {
    const room = this.rooms.get(docId)
    if (room === undefined) return
    const subscribers = [...room.subscribers]
    room.subscribers.clear()
    room.failLoad(deletedError(docId))
    this.evict(room, true)
    for (const subscriber of subscribers) subscriber.documentDeleted(docId)
  }

  /**
   * Sends the queued fan-out of the documents a commit just made durable, in the turn their acks leave: a
   * writer then gets its ack and the others' edits in one write, not two.
   */
  fanOutNow(committed: readonly { docId: string }[]): void {
    for (const { docId } of committed) this.rooms.get(docId)?.flushOutbox()
  }

  /** Drops presence states their clients stopped renewing, and tells the other subscribers. */
  sweepAwareness(now: number): void {
    for (const room of this.rooms.values()) {
      const removal = room.awareness.sweep(now)
      if (removal !== null) room.broadcastAwareness(removal, null)
    }
  }

  /** Drops every room at shutdown. */
  closeAll(): void {
    for (const room of [...this.rooms.values()]) this.evict(room, true)
  }

  private evict(room: Room, force = false): void {
    if (room.evictTimer !== null) clearTimeout(room.evictTimer)
    room.evictTimer = null
    if (room.evicted || (room.subscribers.size > 0 && !force)) return
    room.flushOutbox()
    room.evicted = true
    if (this.rooms.get(room.docId) === room) this.rooms.delete(room.docId)
    room.stopBroker?.()
    room.stopBroker = null
    room.subscribers.clear()
    this.deps.commits.forget(room.docId)
    this.deps.onEvicted(room.docId)
  }

  private async load(room: Room): Promise<void> {
    const { broker, storage, logger } = this.deps
    try {
      // Subscribe before reading storage: an update another node commits in between arrives by the broker.
      const stop = await broker.subscribe(room.docId, update => {
        if (room.evicted) return
        this.deps.commits.heldFromBroker(room.docId, update)
        room.add(update, null)
      }, control => {
        if (control === 'deleted') this.confirmDeleted(room)
      })
      if (room.evicted) stop()
      else room.stopBroker = stop
      const [tombstone, rows] = await Promise.all([storage.tombstone(room.docId), storage.load(room.docId)])
      if (tombstone !== null) throw deletedError(room.docId)
      const seed = rows.length === 0 ? await this.deps.seed(room.docId) : null
      const merged = seed !== null ? seed
        : rows.length === 0 ? EMPTY_UPDATE
        : rows.length === 1 ? rows[0]!.update
          : mergeUpdates(rows.map(row => row.update))
      room.finishLoad(merged)
      if (!room.evicted) this.deps.onLoaded(room.docId, rows)
    } catch (error) {
      if (!isDeleted(error)) logger.error({ err: error, docId: room.docId }, 'loading document failed')
      // Forget the room so the next subscribe tries again; current subscribers are told by `ready`.
      if (this.rooms.get(room.docId) === room) this.rooms.delete(room.docId)
      room.evicted = true
      this.deps.commits.forget(room.docId)
      room.stopBroker?.()
      room.stopBroker = null
      room.failLoad(error)
    }
  }

  /**
   * Another node deleted the document. The broker may replay a deletion older than a restore, so the
   * tombstone in storage (shared by every node) decides.
   */
  private confirmDeleted(room: Room): void {
    this.deps.storage.tombstone(room.docId).then(tombstone => {
      if (tombstone !== null && this.rooms.get(room.docId) === room) this.dropDeleted(room.docId)
    }, (error: unknown) => this.deps.logger.warn({ err: error, docId: room.docId }, 'checking a deletion failed'))
  }
}

const deletedError = (docId: string): RelayError =>
  new RelayError(ErrorCode.documentDeleted, `"${docId}" was deleted; only a restore makes it usable again`)

