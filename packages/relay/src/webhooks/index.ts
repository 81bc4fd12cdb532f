import type { Logger } from 'pino'
import type { Registry } from 'prom-client'
import type { NewOutboxEntry } from '../storage/outbox-types.js'
import type { RelayStorage } from '../storage/types.js'
import { WebhookDispatcher } from './dispatcher.js'
import { WebhookMetrics } from './metrics.js'
import { WebhookConfigError, type WebhookConfig } from './options.js'
import { webhookEntries, withWebhookOutbox } from './outbox-writer.js'

/** Durable webhooks of one relay: the outbox writes that go with commits, and the sender. */
export class Webhooks {
  /** The storage the commit queue writes through: each commit also writes its `document.changed` entries. */
  readonly commitStorage: RelayStorage
  private readonly dispatcher: WebhookDispatcher

  constructor(storage: RelayStorage, private readonly config: WebhookConfig, registry: Registry, logger: Logger) {
    const outbox = storage.outbox
    if (outbox === undefined) throw new WebhookConfigError('webhooks need a storage with an outbox (sqlite, postgres and memory have one)')
    this.dispatcher = new WebhookDispatcher(outbox, config, new WebhookMetrics(registry), logger)
    this.commitStorage = withWebhookOutbox(storage, config.urls, config.debounceMs, dueAt => this.dispatcher.wake(dueAt))
    if (config.secret === undefined) logger.warn('webhooks are not signed: set a webhook secret')
  }

  /**
   * The entries announcing that `docId` was deleted: write them in the delete's own transaction (as
   * `AppendOptions.outbox` does for commits), then call `scheduled()`.
   */
  deletedEntries(docId: string): NewOutboxEntry[] {
    const now = Date.now()
    return webhookEntries(this.config.urls, 'document.deleted', docId, now, now)
  }

  /** Entries written outside a commit are due: send them. */
  scheduled(): void {
    this.dispatcher.wake(Date.now())
  }

  close(): Promise<void> {
    return this.dispatcher.close()
  }
}

export { resolveWebhookConfig, WebhookConfigError, type WebhookConfig, type WebhookDeliveryOptions } from './options.js'
export { signWebhook, verifyWebhook, SIGNATURE_HEADER } from './signature.js'
export type { WebhookEvent } from './dispatcher.js'
