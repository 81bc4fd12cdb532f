import * as Y from 'yjs'
import { waitUntil } from '@driftless/testkit/support'
import type { Scenario } from '../scenario.js'
import { repeatAlternating, rowFrom, serverSystems, tempDir } from '../scenario.js'
import { startServer } from '../proc/server-process.js'
import { largeUpdate } from '../large-update.js'
import { median } from '../stats.js'
import type { SyncClient } from '../systems/types.js'

const SCENARIO = '3. large document'
const TIMEOUT_MS = 120_000

/** A fresh client joins a big document: how close to the cost of just applying the bytes is it? */
export const largeDoc: Scenario = {
  id: 'large-doc',
  title: SCENARIO,
  async run(context) {
    const update = largeUpdate(context.config.largeDoc.inserts, context.log)
    const expected = new Y.Doc()
    Y.applyUpdate(expected, update)
    const length = expected.getText('text').length
    expected.destroy()
    const { systems, unavailable } = serverSystems(context)
    const results = await repeatAlternating(context, [...systems, 'floor' as const], async (system, rep): Promise<Record<string, number>> => {
      if (system === 'floor') {
        const doc = new Y.Doc()
        const started = performance.now()
        Y.applyUpdate(doc, update)
        const applyMs = performance.now() - started
        doc.destroy()
        return { syncMs: applyMs }
      }
      const data = tempDir('large-doc')
      const server = await startServer(system, { dataDir: system === 'driftless' ? data.path : undefined })
      const clientSystem = context.clients[system]
      if (!clientSystem) throw new Error(`${system} clients unavailable`)
      const clients: SyncClient[] = []
      try {
        const docId = `large-${rep}`
        const seeder = clientSystem.open(server.url, docId)
        clients.push(seeder)
        await seeder.whenConnected()
        Y.applyUpdate(seeder.doc, update)
        await seeder.whenSynced()
        const started = performance.now()
        const fresh = clientSystem.open(server.url, docId)
        clients.push(fresh)
        await fresh.whenConnected()
        await waitUntil(() => fresh.doc.getText('text').length === length, TIMEOUT_MS, 'large document content', { intervalMs: 1 })
        const syncMs = performance.now() - started
        const memory = server.memory()
        return { syncMs, rss: memory.rss / 2 ** 20, peakRss: memory.peakRss / 2 ** 20 }
      } finally {
        await Promise.all(clients.map((c) => c.close()))
        await server.stop()
        data.remove()
      }
    })
    const floor = results.get('floor')
    const floorMedian = floor && 'samples' in floor ? median(floor.samples.get('syncMs') ?? [NaN]) : NaN
    const base = { scenario: SCENARIO } as const
    const mib = (update.byteLength / 2 ** 20).toFixed(1)
    return {
      rows: [
        rowFrom({ ...base, metric: `fresh-client initial sync (${mib} MiB)`, key: 'syncMs', unit: 'ms', better: 'lower',
          target: { kind: 'atMost', value: 1.2 * floorMedian, text: `≤ 1.2× the Y.applyUpdate floor (${Math.round(1.2 * floorMedian)} ms)` },
          note: 'floor: Y.applyUpdate of the same bytes into a fresh Y.Doc in the harness process' }, results, unavailable),
        rowFrom({ ...base, metric: 'server RSS with it loaded', key: 'rss', unit: 'MiB', better: 'lower',
          target: { kind: 'atMost', value: 80, text: '≤ 80 MiB' } }, results, unavailable),
        rowFrom({ ...base, metric: 'server peak RSS', key: 'peakRss', unit: 'MiB', better: 'lower' }, results, unavailable),
      ],
      method: `A ${update.byteLength.toLocaleString('en-US')}-byte update (${context.config.largeDoc.inserts.toLocaleString('en-US')} seeded random-position inserts into one Y.Text, built once and cached in apps/bench/.cache). A first client loads it into the server and waits for its system's "synced" signal; then a fresh client connects and is timed until its text holds all of it. Server RSS (VmRSS) is read right then, with the document loaded and both clients connected. The floor is Y.applyUpdate of the same bytes into a fresh Y.Doc in the harness process.`,
    }
  },
}
