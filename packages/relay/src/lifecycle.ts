import type { Logger } from 'pino'
import type { RelayBroker } from './broker/types.js'
import type { HookRunner } from './hooks/runner.js'
import type { Rooms } from './rooms.js'
import type { RelayStorage } from './storage/types.js'
import type { Webhooks } from './webhooks/index.js'

/** What deleting and restoring a document needs from the relay. */
export interface LifecycleDeps {
  storage: RelayStorage
  broker: RelayBroker
  rooms: Rooms
  logger: Logger
  hooks: HookRunner
  webhooks: Webhooks | null
}

/**
 * Deletion and restore of documents, the one place both happen (admin API, hooks, webhooks hang off it).
 *
 * A delete commits first (rows gone, tombstone written, in one storage transaction), then tells the other
 * nodes (broker control message) and this node's subscribers. Everything after the commit is refused by the
 * tombstone, wherever it comes from: a room that loads checks it, and storage stores no rows for a
 * tombstoned document, so commits queued before the delete, or racing it on other nodes, cannot bring it back.
 * The `document.deleted` webhook deliveries commit in the delete's own transaction, then `onDelete` runs.
 */
export class DocumentLifecycle {
  constructor(private readonly deps: LifecycleDeps) {}

  /** Deletes a document (idempotent: the first deletion's time is kept). Resolves once the tombstone is committed. */
  async deleteDocument(docId: string): Promise<void> {
    const { storage, broker, rooms, logger, hooks, webhooks } = this.deps
    await storage.deleteDocument(docId, Date.now(), { outbox: webhooks?.deletedEntries(docId) ?? [] })
    webhooks?.scheduled()
    // Other nodes' subscribers are told by the broker; a node that misses it refuses the id on its next load.
    broker.publishControl?.(docId, 'deleted').catch((error: unknown) => {
      logger.warn({ err: error, docId }, 'broker could not announce a deletion')
    })
    rooms.dropDeleted(docId)
    hooks.deleted(docId)
    logger.info({ docId }, 'document deleted')
  }

  /** Removes a document's tombstone: the id is usable again, starting empty. False when it was not deleted. */
  async restoreDocument(docId: string): Promise<boolean> {
    const restored = await this.deps.storage.restoreDocument(docId)
    if (restored) this.deps.logger.info({ docId }, 'document restored')
    return restored
  }
}
