import type { Scenario } from '../scenario.js'
import { repeatAlternating, rowFrom, serverSystems, tempDir } from '../scenario.js'
import { startServer } from '../proc/server-process.js'
import { percentile, median } from '../stats.js'
import { sleep } from '../wait.js'

const SCENARIO = '4b. durable ack'

/** How long from a local edit until the relay says it is durably stored, under light load. */
export const durableAck: Scenario = {
  id: 'durable-ack',
  title: SCENARIO,
  async run(context) {
    const { edits, gapMs } = context.config.durableAck
    const { systems, unavailable } = serverSystems(context)
    const ackers = systems.filter((s) => s === 'driftless')
    const results = await repeatAlternating(context, ackers, async (system, rep) => {
      const data = tempDir('ack')
      const server = await startServer(system, { dataDir: data.path })
      const client = context.clients[system]?.open(server.url, `ack-${rep}`)
      if (!client) throw new Error(`${system} clients unavailable`)
      try {
        await client.whenConnected()
        const latencies: number[] = []
        for (let i = 0; i < edits; i++) {
          const started = performance.now()
          client.doc.getMap('acks').set(`e${i}`, i)
          await client.whenSynced()
          latencies.push(performance.now() - started)
          await sleep(gapMs)
        }
        return { median: median(latencies), p95: percentile(latencies, 95) }
      } finally {
        await client.close()
        await server.stop()
        data.remove()
      }
    })
    const peers = {
      ...unavailable,
      'y-websocket': 'no acknowledgement of any kind',
      hocuspocus: 'acks before storing (store debounced 2 s); not durable',
    }
    return {
      rows: [
        rowFrom({ scenario: SCENARIO, metric: 'edit → durable ack, median', key: 'median', unit: 'ms', better: 'lower',
          target: { kind: 'atMost', value: 50, text: '≤ 50 ms' } }, results, peers),
        rowFrom({ scenario: SCENARIO, metric: 'edit → durable ack, p95', key: 'p95', unit: 'ms', better: 'lower',
          target: { kind: 'atMost', value: 50, text: '≤ 50 ms' } }, results, peers),
      ],
      method: `One client makes ${edits} one-key edits, one at a time with ${gapMs} ms between them, and times each from the edit to whenSynced() (the relay's ack after its storage commit). Each repetition gives a median and a p95; the table shows those across repetitions.`,
    }
  },
}
