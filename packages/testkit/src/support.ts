/**
 * `@driftless/testkit/support`: the kit's building blocks that need no Playwright, for tests run by any
 * runner (vitest, node:test) and for benchmarks: a seeded RNG, a poller, a TCP proxy, relays (in-process or
 * a real process) and a structural diff.
 */
export { createRng, deriveSeed, randomSeed, type Rng } from './rng.js'
export { waitUntil, staysFalse, WaitTimeoutError, type WaitOptions } from './wait.js'
export { startProxy, acrossNodes, type ProxyNode, type TcpProxy, type ProxyOptions, type ProxyTarget, type PartitionMode } from './proxy.js'
export { startRelay, findRelayBin, RelayProcessError, type RelayProcess, type RelayProcessOptions, type RelayExit } from './relay-process.js'
export { startTestRelay } from './test-relay.js'
export { freePort } from './free-port.js'
export { findDifferences, formatDifferences, sameState, type Difference } from './diff.js'
