import * as Y from 'yjs'
import type { Scenario } from '../scenario.js'
import { repeatAlternating, rowFrom, serverSystems, tempDir } from '../scenario.js'
import { startServer } from '../proc/server-process.js'
import { createRng, waitUntil } from '@driftless/testkit/support'
import { countingWebSocket, createByteCounter } from '../systems/counting-websocket.js'
import type { SyncClient } from '../systems/types.js'
import { sleep } from '../wait.js'

const SCENARIO = '6. partition resync'
const SHARED_EDITS = 500
const SETTLE_MS = 500

const sameText = (a: SyncClient, b: SyncClient, length: number): boolean => {
  const ta = a.doc.getText('text')
  const tb = b.doc.getText('text')
  return ta.length === length && tb.length === length && ta.toString() === tb.toString()
}

/** A replica cut off from its peer diverges by a known diff; how many bytes does its reconnect cost compared with the diff? */
export const partition: Scenario = {
  id: 'partition',
  title: SCENARIO,
  async run(context) {
    const { editsPerSide } = context.config.partition
    const { systems, unavailable } = serverSystems(context)
    const results = await repeatAlternating(context, systems, async (system, rep) => {
      const data = tempDir('partition')
      const server = await startServer(system, { dataDir: system === 'driftless' ? data.path : undefined })
      const clientSystem = context.clients[system]
      if (!clientSystem) throw new Error(`${system} clients unavailable`)
      const counter = createByteCounter()
      const docId = `partition-${rep}`
      const a = clientSystem.open(server.url, docId)
      // Only the replica that was cut off is counted.
      const b = clientSystem.open(server.url, docId, { WebSocket: countingWebSocket(counter) })
      try {
        await Promise.all([a.whenConnected(), b.whenConnected()])
        const rng = createRng(7 + rep)
        const edit = (client: SyncClient, count: number, char: string): void => {
          const text = client.doc.getText('text')
          for (let i = 0; i < count; i++) text.insert(rng.int(0, text.length), char)
        }
        edit(a, SHARED_EDITS, 's')
        await waitUntil(() => sameText(a, b, SHARED_EDITS), 60_000, 'shared history', { intervalMs: 5 })
        await Promise.all([a.whenSynced(), b.whenSynced()])
        b.disconnect()
        await sleep(SETTLE_MS)
        const vectorB = Y.encodeStateVector(b.doc)
        edit(a, editsPerSide, 'a')
        await a.whenSynced()
        const vectorA = Y.encodeStateVector(a.doc)
        edit(b, editsPerSide, 'b')
        // What the cut-off replica lacks (the other's edits) plus what the server lacks (its own offline edits).
        const diffBytes = Y.encodeStateAsUpdate(a.doc, vectorB).byteLength + Y.encodeStateAsUpdate(b.doc, vectorA).byteLength
        await sleep(SETTLE_MS)
        counter.sent = 0
        counter.received = 0
        b.connect()
        await waitUntil(() => sameText(a, b, SHARED_EDITS + 2 * editsPerSide), 60_000, 'resync', { intervalMs: 5 })
        await Promise.all([a.whenSynced(), b.whenSynced()])
        // Count the trailing frames of the resync conversation too.
        await sleep(SETTLE_MS)
        const wireBytes = counter.sent + counter.received
        return { wireBytes, diffBytes, ratio: wireBytes / diffBytes }
      } finally {
        await Promise.all([a.close(), b.close()])
        await server.stop()
        data.remove()
      }
    })
    const base = { scenario: SCENARIO } as const
    return {
      rows: [
        rowFrom({ ...base, metric: 'resync bytes on the wire ÷ diff size', key: 'ratio', unit: 'ratio', better: 'lower',
          target: { kind: 'atMost', value: 1.1, text: '≤ 1.1× the diff' } }, results, unavailable),
        rowFrom({ ...base, metric: 'resync bytes on the wire', key: 'wireBytes', unit: 'bytes', better: 'lower' }, results, unavailable),
        rowFrom({ ...base, metric: 'diff size (what each side lacks)', key: 'diffBytes', unit: 'bytes', better: 'lower' }, results, unavailable),
      ],
      method: `Two clients A and B share ${SHARED_EDITS} random-position one-character inserts. B disconnects; A makes ${editsPerSide} more edits online (the server has them), B makes ${editsPerSide} offline. The diff is what B lacks plus what the server lacks: Y.encodeStateAsUpdate(A, B's state vector) + Y.encodeStateAsUpdate(B, A's state vector), in bytes. B reconnects; every websocket frame payload B sends or receives (counted by wrapping its WebSocket class) from reconnecting until both hold the same text, plus ${SETTLE_MS} ms, is the resync cost. Awareness and protocol messages count: they are on the wire.`,
    }
  },
}
