import { waitUntil } from '@driftless/testkit/support'
import type { Scenario } from '../scenario.js'
import { repeatAlternating, rowFrom, serverSystems, tempDir } from '../scenario.js'
import { startServer } from '../proc/server-process.js'
import type { SyncClient } from '../systems/types.js'
import { sleep } from '../wait.js'

const SCENARIO = '2. many documents'
const SETTLE_MS = 1_500

/** Many small documents open at once: what does each cost the server, and how fast do they connect? */
export const manyDocs: Scenario = {
  id: 'many-docs',
  title: SCENARIO,
  async run(context) {
    const { docs, editsPerClient } = context.config.manyDocs
    const { systems, unavailable } = serverSystems(context)
    const results = await repeatAlternating(context, systems, async (system, rep) => {
      const data = tempDir('many-docs')
      const server = await startServer(system, { dataDir: system === 'driftless' ? data.path : undefined })
      const clientSystem = context.clients[system]
      if (!clientSystem) throw new Error(`${system} clients unavailable`)
      const pairs: [SyncClient, SyncClient][] = []
      try {
        await sleep(SETTLE_MS)
        await server.collectGarbage()
        const idleRss = server.memory().rss
        const connectStarted = performance.now()
        for (let d = 0; d < docs; d++) {
          const docId = `doc-${rep}-${d}`
          pairs.push([clientSystem.open(server.url, docId), clientSystem.open(server.url, docId)])
        }
        await Promise.all(pairs.flat().map((c) => c.whenConnected()))
        const connectMs = performance.now() - connectStarted
        const editStarted = performance.now()
        for (const pair of pairs) {
          for (const [side, client] of pair.entries()) {
            for (let e = 0; e < editsPerClient; e++) client.doc.getText('text').insert(0, side === 0 ? 'a' : 'b')
          }
        }
        const length = editsPerClient * 2
        const converged = (): boolean =>
          pairs.every(([a, b]) => {
            const ta = a.doc.getText('text')
            const tb = b.doc.getText('text')
            return ta.length === length && tb.length === length && ta.toString() === tb.toString()
          })
        await waitUntil(converged, 180_000, 'many-docs convergence', { intervalMs: 10 })
        const convergeMs = performance.now() - editStarted
        await sleep(SETTLE_MS)
        await server.collectGarbage()
        const openRss = server.memory().rss
        return {
          connectMs,
          convergeMs,
          perDocKiB: (openRss - idleRss) / docs / 1024,
          peakRss: server.memory().peakRss / 2 ** 20,
        }
      } finally {
        await Promise.all(pairs.flat().map((c) => c.close()))
        await server.stop()
        data.remove()
      }
    })
    const base = { scenario: SCENARIO } as const
    return {
      rows: [
        rowFrom({ ...base, metric: 'server memory per open document', key: 'perDocKiB', unit: 'KiB', better: 'lower',
          target: { kind: 'atMost', value: 10, text: '≤ 10 KiB per open idle document' } }, results, unavailable),
        rowFrom({ ...base, metric: 'time to connect all', key: 'connectMs', unit: 'ms', better: 'lower' }, results, unavailable),
        rowFrom({ ...base, metric: 'time to converge', key: 'convergeMs', unit: 'ms', better: 'lower' }, results, unavailable),
        rowFrom({ ...base, metric: 'server peak RSS', key: 'peakRss', unit: 'MiB', better: 'lower' }, results, unavailable),
      ],
      method: `${docs} documents × 2 clients (each client its own provider or replica with its own websocket, in the harness process, as separate devices would be) × ${editsPerClient} one-character edits per client. Time to connect all: from opening the first client until every client finished its first sync. Time to converge: from the first edit until both clients of every document hold the same text. Memory per open document: (server VmRSS ${SETTLE_MS / 1000} s after converging − VmRSS of the idle server) / ${docs}, with every client still connected; both readings follow a full GC in the server (every server process is started with --expose-gc and a SIGUSR2 handler that calls gc()).`,
    }
  },
}
