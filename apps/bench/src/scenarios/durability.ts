import type { Scenario } from '../scenario.js'
import { repeatAlternating, rowFrom, serverSystems, tempDir } from '../scenario.js'
import { startServer, type ServerKind } from '../proc/server-process.js'
import type { ClientSystem } from '../systems/types.js'
import { sleep, withTimeout } from '../wait.js'

const SCENARIO = '4. durability'
const READER_SETTLE_MS = 1_500

/** Writes `edits` one-key transactions, waits for "synced", kill -9s the server after `delayMs`, restarts it, counts what is left. */
const survivors = async (system: ServerKind, clients: ClientSystem, edits: number, delayMs: number, docId: string): Promise<number> => {
  const data = tempDir('durability')
  let server = await startServer(system, { dataDir: data.path })
  try {
    const writer = clients.open(server.url, docId)
    try {
      await writer.whenConnected()
      const map = writer.doc.getMap<number>('edits')
      for (let i = 0; i < edits; i++) map.set(`e${i}`, i)
      await writer.whenSynced()
      await sleep(delayMs)
      await server.kill9()
    } finally {
      await writer.close()
    }
    server = await startServer(system, { dataDir: data.path })
    const reader = clients.open(server.url, docId)
    try {
      await withTimeout('reader sync after restart', reader.whenConnected(), 60_000)
      // The y-websocket server answers the first sync before its LevelDB state is loaded and sends that
      // state as a later update, so give every server a moment and keep the largest count seen.
      let seen = reader.doc.getMap('edits').size
      for (let i = 0; i < READER_SETTLE_MS / 50 && seen < edits; i++) {
        await sleep(50)
        seen = Math.max(seen, reader.doc.getMap('edits').size)
      }
      return seen
    } finally {
      await reader.close()
    }
  } finally {
    await server.stop()
    data.remove()
  }
}

/** Are edits the client was told are synced still there after the server is killed? */
export const durability: Scenario = {
  id: 'durability',
  title: SCENARIO,
  async run(context) {
    const { edits, killDelaysMs } = context.config.durability
    const { systems, unavailable } = serverSystems(context)
    const results = await repeatAlternating(context, systems, async (system, rep) => {
      const clients = context.clients[system]
      if (!clients) throw new Error(`${system} clients unavailable`)
      const counts: Record<string, number> = {}
      for (const delay of killDelaysMs) counts[`after${delay}`] = await survivors(system, clients, edits, delay, `durable-${rep}-${delay}`)
      return counts
    })
    return {
      rows: killDelaysMs.map((delay) =>
        rowFrom({
          scenario: SCENARIO,
          metric: `edits of ${edits.toLocaleString('en-US')} surviving kill -9 ${delay} ms after "synced"`,
          key: `after${delay}`,
          unit: 'count',
          better: 'higher',
          ...(delay === 0 ? { target: { kind: 'atLeast' as const, value: edits, text: `${edits.toLocaleString('en-US')} of ${edits.toLocaleString('en-US')} after whenSynced()` } } : {}),
        }, results, unavailable)),
      method: `A client makes ${edits.toLocaleString('en-US')} edits, each its own transaction (one key of a Y.Map), and waits for its system's "synced" signal (y-websocket: provider synced and nothing left in the socket's send buffer; Hocuspocus: synced with unsyncedChanges 0; Driftless: whenSynced()). The server gets kill -9 ${killDelaysMs.join(' / ')} ms later, restarts on the same data, and a fresh client counts the keys (after its first sync, watching up to 1.5 s more for late-loaded state). Persistence: y-websocket server with its LevelDB persistence (YPERSISTENCE), Hocuspocus with @hocuspocus/extension-sqlite (default debounce), Driftless with its SQLite storage.`,
    }
  },
}
