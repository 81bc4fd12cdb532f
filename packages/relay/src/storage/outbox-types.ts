/** What a webhook event says happened. */
export type WebhookEventType = 'document.changed' | 'document.deleted'

/** A delivery to write into the outbox, in the same transaction as the change that causes it. */
export interface NewOutboxEntry {
  /** The event's id (`id` in the JSON body), the same on every attempt. */
  eventId: string
  /** The URL to POST to. */
  target: string
  type: WebhookEventType
  docId: string
  /** When the event happened (ms since the epoch): `at` in the JSON body. */
  createdAt: number
  /** Not sent before this (ms since the epoch). */
  dueAt: number
}

/** A delivery waiting in the outbox. */
export interface OutboxEntry extends NewOutboxEntry {
  /** Storage's id of the row. */
  id: number
  /** Attempts so far, this one included once claimed. */
  attempts: number
}

/**
 * Pending webhook deliveries kept in relay storage. Entries are written by `append` (and a delete) in the same
 * transaction as the change; an entry not yet claimed absorbs a new one with the same target, type and
 * document (that is how `document.changed` is coalesced). Claiming leases an entry to one sender: a relay
 * that dies holding it leaves it to be claimed again once the lease ran out.
 */
export interface RelayOutbox {
  /**
   * Leases up to `limit` entries due at `now` for `leaseMs` among `targets`, counting one more attempt for
   * each; oldest due first. A claimed entry never absorbs later ones again.
   */
  claim(now: number, limit: number, leaseMs: number, targets: readonly string[]): Promise<OutboxEntry[]>
  /** Delivered, or given up: removes the entries. */
  remove(ids: readonly number[]): Promise<void>
  /** Failed: releases the lease and schedules the next attempt. */
  retry(id: number, dueAt: number): Promise<void>
  /** Writes entries in a transaction of their own (when nothing else is committed with them). */
  enqueue(entries: readonly NewOutboxEntry[]): Promise<void>
}

/** Extra work of one `append`. */
export interface AppendOptions {
  /** Webhook deliveries to write in the same transaction (requires `RelayStorage.outbox`). */
  outbox?: readonly NewOutboxEntry[]
}
