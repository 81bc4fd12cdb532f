import { isDeleted, type RelayError } from '../errors.js'
import type { AckTarget } from '../commit-queue.js'
import { SERVER_ORIGIN } from '../hooks/connection.js'
import { isEmptyUpdate, type Subscriber } from '../room.js'
import type { Rooms } from '../rooms.js'
import { AdminError } from './errors.js'

/**
 * The admin API's write to one document, made the way a client's is: it joins the document's room (loading
 * it if this node has it closed), so the update is fanned out to local subscribers, published to the other
 * nodes and committed by the commit queue, and the request is answered on the commit's ack. Writing straight
 * to storage instead would race a room loading on this node, which never hears its own node's broker messages.
 */
class AdminWrite implements Subscriber, AckTarget {
  readonly kind = 'driftless'
  readonly done: Promise<void>
  private settle!: { resolve: () => void; reject: (error: unknown) => void }

  constructor() {
    this.done = new Promise<void>((resolve, reject) => {
      this.settle = { resolve, reject }
    })
  }

  send(): void {}
  sendWire(): void {}

  documentDeleted(): void {
    this.settle.reject(new AdminError('documentDeleted', 'the document was deleted while the update waited for its commit'))
  }

  committed(): void {
    this.settle.resolve()
  }

  commitFailed(_docId: string, _ackId: number, error: RelayError): void {
    this.settle.reject(new AdminError('unavailable', error.message))
  }
}

/** Accepts `update` for `docId` and resolves once it is committed. */
export const writeUpdate = async (rooms: Rooms, docId: string, update: Uint8Array): Promise<void> => {
  const writer = new AdminWrite()
  const room = rooms.join(docId, writer)
  try {
    try {
      await room.ready
    } catch (error) {
      if (isDeleted(error)) throw new AdminError('documentDeleted', 'the document is deleted; restore it first')
      throw new AdminError('unavailable', 'the document could not be loaded; retry')
    }
    if (isEmptyUpdate(update)) return
    rooms.accept(room, update, writer, writer, 1, SERVER_ORIGIN)
    await writer.done
  } finally {
    rooms.leave(room, writer)
  }
}
