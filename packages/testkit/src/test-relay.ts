import type { Relay, RelayOptions } from '@driftless/relay'

/**
 * A relay in this process, for tests that need its object (its rooms, a storage they built, `close()`):
 * on a free port of 127.0.0.1, with memory storage and no logs unless `options` say otherwise. For a relay
 * that can be killed with SIGKILL, use `startRelay` (a real process) instead.
 *
 * @example
 * const relay = await startTestRelay({ storage: { kind: 'sqlite', path } })
 * // ... relay.url ...
 * await relay.close()
 */
export async function startTestRelay(options: RelayOptions = {}): Promise<Relay> {
  // Loaded on use: importing the kit's other helpers must not load a relay.
  const { createRelay } = await import('@driftless/relay')
  return await createRelay({ port: 0, host: '127.0.0.1', storage: { kind: 'memory' }, logLevel: 'silent', ...options })
}
