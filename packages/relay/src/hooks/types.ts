/** A client connection as hooks see it. */
export interface HookConnection {
  /** Unique within this relay process, stable for the connection's life. */
  readonly id: number
  /** A Driftless replica, or an unmodified y-websocket client. */
  readonly kind: 'driftless' | 'ywebsocket'
}

/** Where a committed update came from. */
export type CommitOrigin =
  /** A client sent it. */
  | { readonly kind: 'client'; readonly connection: HookConnection }
  /** `onLoad` returned it to seed a document storage did not have. */
  | { readonly kind: 'seed' }
  /** The relay's own server-side code (e.g. an HTTP route) wrote it. */
  | { readonly kind: 'server' }
  /** Another relay node accepted it and forwarded it; this node committed it as well (that node reports it too). */
  | { readonly kind: 'peer' }

/** Payload of `onLoad`. */
export interface LoadPayload {
  readonly docId: string
}

/** Payload of `afterCommit`. */
export interface AfterCommitPayload {
  readonly docId: string
  /** The document's updates of one storage transaction from one origin, in commit order. */
  readonly updates: readonly Uint8Array[]
  readonly origin: CommitOrigin
}

/** Payload of `onChange`. */
export interface ChangePayload {
  readonly docId: string
  /** Every update committed in the debounce window, merged into one. */
  readonly update: Uint8Array
}

/** Payload of `onSubscribe` and `onUnsubscribe`. */
export interface SubscriptionPayload {
  readonly docId: string
  readonly connection: HookConnection
}

/** Payload of `onDocumentIdle` and `onDelete`. */
export interface DocumentPayload {
  readonly docId: string
}

/**
 * In-process hooks (`createRelay({ hooks })`). Every hook may be async. None of them is on the path of an
 * acknowledgement: the relay calls them after the fact and does not wait for them (except `onLoad`, which
 * only the loading document waits for, and only up to `onLoadTimeoutMs`). A hook that throws or rejects is
 * logged (`"hook failed"`, with `hook: <name>`) and changes nothing else; one that never settles holds
 * nothing but its own call (see `maxPendingHookCalls`).
 */
export interface RelayHooks {
  /**
   * When a document is opened and storage holds nothing for it. Return a Yjs update to seed it (e.g. imported
   * from a legacy database): the relay commits it as the document's first update before answering any sync.
   * Return nothing to start empty. Make the update deterministic (a fixed `clientID`): several relay nodes,
   * or a retry after a failed commit, may seed the same document twice. A throw, an invalid update or a
   * timeout is logged and the document opens empty.
   */
  onLoad?: (payload: LoadPayload) => Promise<Uint8Array | undefined> | Uint8Array | undefined
  /**
   * After updates are durably committed (their acks are already on their way), once per document and origin
   * of each storage transaction. A throw is logged; the updates stay committed.
   */
  afterCommit?: (payload: AfterCommitPayload) => Promise<void> | void
  /**
   * Debounced per document: once `onChangeDebounceMs` passed without a new commit (or `onChangeMaxWaitMs`
   * after the first one), with the merge of every update committed meanwhile. For cheap reactions
   * (re-index, notify). A throw is logged; that window's call is not retried.
   */
  onChange?: (payload: ChangePayload) => Promise<void> | void
  /** After a connection subscribed to a document (it may not be synced yet). A throw is logged. */
  onSubscribe?: (payload: SubscriptionPayload) => Promise<void> | void
  /** After a connection unsubscribed from a document or closed. A throw is logged. */
  onUnsubscribe?: (payload: SubscriptionPayload) => Promise<void> | void
  /** After a document left memory (no subscribers for `documentIdleMs`, or relay shutdown). A throw is logged. */
  onDocumentIdle?: (payload: DocumentPayload) => Promise<void> | void
  /** After a document was deleted (its tombstone committed). A throw is logged; the document stays deleted. */
  onDelete?: (payload: DocumentPayload) => Promise<void> | void
}

/** The names of the hooks, as they appear in logs (`hook` field). */
export type HookName = keyof RelayHooks

/** Tuning of hook calls (`createRelay` options). */
export interface HookOptions {
  /** `onChange` fires once a document saw no commit for this long. @default 1000 */
  onChangeDebounceMs?: number
  /** …or at the latest this long after the first commit of the window, however busy the document. @default 10000 */
  onChangeMaxWaitMs?: number
  /** How long a loading document waits for `onLoad` before opening without a seed. @default 10000 */
  onLoadTimeoutMs?: number
  /**
   * Calls of one hook that may be unsettled at once. Past this, further calls of that hook are skipped and
   * logged (`"hook backlog full"`), so a hook that hangs cannot grow the relay's memory without bound.
   * @default 1000
   */
  maxPendingHookCalls?: number
}
