/**
 * How presence (`@driftless/replica/presence`) plugs into a replica without the replica depending on it: an
 * app that shows nobody's cursor bundles no awareness code and runs no awareness timer.
 */
export interface PresencePeer {
  /** An awareness update from the relay or another tab; `origin` says which part of the replica it came through. */
  receive(update: Uint8Array, origin: unknown): void
  /** This tab's own state encoded, to announce on (re)connect or to a tab that asks; null when it has none. */
  local(): Uint8Array | null
  /** The replica is closing: this tab's state is withdrawn (and published) before its links close. */
  close(): void
}

/**
 * Internal: the replica method `@driftless/replica/presence` attaches through. Not public API: it may change in
 * any release. A registered symbol, so that it still matches when a bundler gives each entry point its own
 * copy of this module.
 */
export const presenceTap: unique symbol = Symbol.for('driftless:presence-tap')
