/**
 * Where a replica stands with the relay.
 * - `offline`: no relay configured, disconnected on purpose, or waiting to retry.
 * - `connecting`: opening the socket and saying hello.
 * - `syncing`: connected; exchanging state vectors or waiting for the relay to acknowledge the catch-up.
 * - `synced`: the relay has sent everything this replica lacked and committed everything it lacked.
 *   New local edits may still be `pending` for a moment; `whenSynced()` waits for those too.
 */
export const Status = { offline: 'offline', connecting: 'connecting', syncing: 'syncing', synced: 'synced' } as const
export type Status = (typeof Status)[keyof typeof Status]
