import * as Y from 'yjs'
import type { Scenario } from '../scenario.js'
import { repeatAlternating, rowFrom, serverSystems, tempDir } from '../scenario.js'
import { startServer } from '../proc/server-process.js'
import { median, percentile } from '../stats.js'

const SCENARIO = '4c. admin API write'
const TOKEN = 'bench-admin-token'

/** Sends one update by `POST /v1/docs/:id/update` and returns how long until the relay answered (after its commit). */
const postUpdate = async (base: string, docId: string, update: Uint8Array): Promise<number> => {
  const started = performance.now()
  const response = await fetch(`${base}/v1/docs/${encodeURIComponent(docId)}/update`, {
    method: 'POST',
    headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/octet-stream' },
    body: Buffer.from(update),
  })
  await response.arrayBuffer()
  if (response.status !== 200) throw new Error(`POST answered ${response.status}`)
  return performance.now() - started
}

/** An edit of one key, as the update a backend job would send. */
const editOf = (doc: Y.Doc, i: number): Uint8Array => {
  const before = Y.encodeStateVector(doc)
  doc.getMap('job').set(`k${i}`, i)
  return Y.encodeStateAsUpdate(doc, before)
}

/** How long a backend's write through the admin HTTP API takes until it is committed (the 200). */
export const adminWrite: Scenario = {
  id: 'admin-write',
  title: SCENARIO,
  async run(context) {
    const posts = context.config.quick ? 30 : 200
    const { systems, unavailable } = serverSystems(context)
    const results = await repeatAlternating(context, systems.filter((s) => s === 'driftless'), async (system, rep) => {
      const data = tempDir('admin')
      const server = await startServer(system, { dataDir: data.path, env: { DRIFTLESS_ADMIN_TOKEN: TOKEN } })
      const base = server.url.replace(/^ws/, 'http')
      // A subscribed client keeps the document open, as when users are on it; each write is also fanned out to it.
      const client = context.clients[system]?.open(server.url, `open-${rep}`)
      if (!client) throw new Error(`${system} clients unavailable`)
      try {
        await client.whenConnected()
        const open: number[] = []
        const cold: number[] = []
        const doc = new Y.Doc()
        for (let i = 0; i < posts; i++) {
          open.push(await postUpdate(base, `open-${rep}`, editOf(doc, i)))
          cold.push(await postUpdate(base, `cold-${rep}-${i}`, editOf(new Y.Doc(), i)))
        }
        return { openMedian: median(open), openP95: percentile(open, 95), coldMedian: median(cold), coldP95: percentile(cold, 95) }
      } finally {
        await client.close()
        await server.stop()
        data.remove()
      }
    })
    const peers = { ...unavailable, 'y-websocket': 'no HTTP write API', hocuspocus: 'no HTTP write API (an extension can add one)' }
    const row = (metric: string, key: string) =>
      rowFrom({ scenario: SCENARIO, metric, key, unit: 'ms', better: 'lower' }, results, peers)
    return {
      rows: [
        row('POST /v1/docs/:id/update → committed, open document, p50', 'openMedian'),
        row('POST /v1/docs/:id/update → committed, open document, p95', 'openP95'),
        row('POST /v1/docs/:id/update → committed, document not in memory, p50', 'coldMedian'),
        row('POST /v1/docs/:id/update → committed, document not in memory, p95', 'coldP95'),
      ],
      method: `A relay (SQLite, synchronous=full) started with an admin token; one Driftless client subscribed to one document. ${posts} times, one at a time: a one-key update is POSTed to that open document, then one to a new document (loaded on the request). Each is timed from the request to the 200, which the relay sends after the update's storage commit. Each repetition gives a median and a p95; the table shows those across repetitions.`,
    }
  },
}
