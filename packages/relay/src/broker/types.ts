/**
 * Fan-out between relay nodes. A node publishes every update it accepts and receives the updates other
 * nodes accepted, for the documents its own clients have open. Implementations: `local` (one node: does
 * nothing), `redis` (Redis Streams, replayable).
 */
/** A document-level event every node with the document open must act on: `deleted` drops its room. */
export type BrokerControl = 'deleted'

export interface RelayBroker {
  /** Makes an update accepted on this node visible to the other nodes that have `docId` open. */
  publish(docId: string, update: Uint8Array): Promise<void>
  /**
   * Starts receiving other nodes' updates for `docId` (never this node's own). Resolves once the
   * subscription is in place, so that an update published after that is delivered, and one published
   * while this node's connection to the broker was down is delivered after it is back.
   * Returns a function that stops the subscription.
   */
  subscribe(docId: string, onUpdate: (update: Uint8Array) => void, onControl?: (control: BrokerControl) => void): Promise<() => void>
  /**
   * Tells the other nodes that have `docId` open about a lifecycle event (never delivered to this node).
   * Optional: without it, a deletion reaches other nodes' subscribers only when their rooms reload.
   */
  publishControl?(docId: string, control: BrokerControl): Promise<void>
  /**
   * Tells the broker that everything published for `docId` up to now is durable in storage, so its log may
   * be trimmed.
   */
  markDurable?(docId: string): Promise<void>
  close(): Promise<void>
}
