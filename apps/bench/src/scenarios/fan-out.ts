import type { Scenario } from '../scenario.js'
import { repeatAlternating, rowFrom, serverSystems, tempDir } from '../scenario.js'
import { startServer, type ServerProcess } from '../proc/server-process.js'
import { createRng, waitUntil } from '@driftless/testkit/support'
import type { ClientSystem, SyncClient } from '../systems/types.js'
import { tick } from '../wait.js'

const SCENARIO = '1. client-side fan-out'

const converged = (clients: readonly SyncClient[], length: number): boolean => {
  if (!clients.every((c) => c.doc.getText('text').length === length)) return false
  const first = clients[0]?.doc.getText('text').toString()
  return clients.every((c) => c.doc.getText('text').toString() === first)
}

/**
 * The fan-out workload on a running server: `count` clients on one document, `rounds` rounds in which every
 * client inserts one character at a seeded random position, until all hold the same text.
 */
export const measureFanOut = async (
  server: ServerProcess, clientSystem: ClientSystem, docId: string, count: number, rounds: number, seed: number,
): Promise<{ convergeMs: number; rate: number; cpu: number; peakRss: number }> => {
  const clients: SyncClient[] = []
  try {
    for (let i = 0; i < count; i++) clients.push(clientSystem.open(server.url, docId))
    await Promise.all(clients.map((c) => c.whenConnected()))
    const rng = createRng(seed)
    const cpuBefore = server.cpuSeconds()
    const started = performance.now()
    for (let round = 0; round < rounds; round++) {
      for (const client of clients) {
        const text = client.doc.getText('text')
        text.insert(rng.int(0, text.length), String.fromCharCode(97 + (round % 26)))
      }
      await tick()
    }
    await waitUntil(() => converged(clients, rounds * count), 180_000, 'fan-out convergence', { intervalMs: 2 })
    const seconds = (performance.now() - started) / 1000
    const delivered = rounds * count * (count - 1)
    return {
      convergeMs: seconds * 1000,
      rate: delivered / seconds,
      cpu: server.cpuSeconds() - cpuBefore,
      peakRss: server.memory().peakRss / 2 ** 20,
    }
  } finally {
    await Promise.all(clients.map((c) => c.close()))
  }
}

/**
 * One document, many clients all typing at random positions, every client a real provider in the harness
 * process; how fast does everyone see everything? This mostly measures the clients (see WHY_SHORT); the
 * capacity scenario measures the servers.
 */
export const fanOut: Scenario = {
  id: 'fan-out',
  title: SCENARIO,
  async run(context) {
    const { clients: count, rounds } = context.config.fanOut
    const { systems, unavailable } = serverSystems(context)
    const results = await repeatAlternating(context, systems, async (system, rep) => {
      const data = tempDir('fan-out')
      const server = await startServer(system, { dataDir: system === 'driftless' ? data.path : undefined })
      const clientSystem = context.clients[system]
      if (!clientSystem) throw new Error(`${system} clients unavailable`)
      try {
        return await measureFanOut(server, clientSystem, `fan-out-${rep}`, count, rounds, 1000 + rep)
      } finally {
        await server.stop()
        data.remove()
      }
    })
    const base = { scenario: SCENARIO } as const
    return {
      rows: [
        rowFrom({ ...base, metric: 'edits delivered/s', key: 'rate', unit: 'edits/s', better: 'higher',
          target: { kind: 'timesBestPeer', factor: 3, minOverMedian: 0.8, text: '≥ 3× best peer, min ≥ 0.8× median' } }, results, unavailable),
        rowFrom({ ...base, metric: 'time to identical content', key: 'convergeMs', unit: 'ms', better: 'lower' }, results, unavailable),
        rowFrom({ ...base, metric: 'server CPU', key: 'cpu', unit: 'cpu-s', better: 'lower' }, results, unavailable),
        rowFrom({ ...base, metric: 'server peak RSS', key: 'peakRss', unit: 'MiB', better: 'lower' }, results, unavailable),
      ],
      method: `1 document, ${count} clients in the harness process, ${rounds} rounds; in each round every client inserts one character at a seeded random position, then the harness yields to the event loop. Timed from the first edit until every client holds the same ${rounds * count}-character text. Edits delivered/s = edits × (clients − 1) / that time. Server CPU (user+system from /proc/<pid>/stat) over the same span; peak RSS is VmHWM of the fresh server process. Peers run without persistence (their default); Driftless commits to SQLite.`,
    }
  },
}
