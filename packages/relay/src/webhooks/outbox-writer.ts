import { randomUUID } from 'node:crypto'
import type { NewOutboxEntry, WebhookEventType } from '../storage/outbox-types.js'
import type { PendingWrite, RelayStorage } from '../storage/types.js'

/** The outbox entries announcing `type` for `docId` to every target. */
export const webhookEntries = (
  targets: readonly string[],
  type: WebhookEventType,
  docId: string,
  now: number,
  dueAt: number,
): NewOutboxEntry[] => targets.map(target => ({ eventId: randomUUID(), target, type, docId, createdAt: now, dueAt }))

/**
 * The storage the commit queue writes through when webhooks are on: every `append` also writes a
 * `document.changed` entry per document and target, due `debounceMs` later, in the same transaction. An
 * entry still waiting absorbs the new one (see `RelayOutbox`), which coalesces a document's changes.
 */
export const withWebhookOutbox = (
  storage: RelayStorage,
  targets: readonly string[],
  debounceMs: number,
  onScheduled: (dueAt: number) => void,
): RelayStorage => ({
  // Everything else is the storage's own: the wrapper adds outbox entries to appends, nothing more.
  ...storage,
  async append(writes: readonly PendingWrite[], options) {
    const now = Date.now()
    const dueAt = now + debounceMs
    const entries = [...(options?.outbox ?? [])]
    for (const docId of new Set(writes.map(write => write.docId))) {
      entries.push(...webhookEntries(targets, 'document.changed', docId, now, dueAt))
    }
    await storage.append(writes, { ...options, outbox: entries })
    if (entries.length > 0) onScheduled(Math.min(...entries.map(entry => entry.dueAt)))
  },
})
