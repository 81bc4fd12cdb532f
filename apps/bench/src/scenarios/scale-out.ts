import type { MetricRow, SystemName } from '../model.js'
import { BackingServiceError } from '../proc/backing-services.js'
import { startRelayCluster, type RelayCluster } from '../proc/relay-cluster.js'
import { createRng, waitUntil } from '@driftless/testkit/support'
import type { Scenario, ScenarioContext } from '../scenario.js'
import { repeatAlternating, rowFrom, type SystemSamples } from '../scenario.js'
import { SeenByAll } from '../seen-by-all.js'
import { percentile, median } from '../stats.js'
import type { ClientSystem, SyncClient } from '../systems/types.js'
import { sleep, withTimeout } from '../wait.js'

const SCENARIO = '9. scale-out'
/** Probe rounds before the measured ones: the first edits also open the document on the second node. */
const WARMUP_ROUNDS = 5
const PROBE_TIMEOUT_MS = 10_000
const CONNECT_TIMEOUT_MS = 30_000
const CONVERGE_TIMEOUT_MS = 30_000
/** Each client's pause between edits while the restart measurement edits. */
const EDIT_GAP_MS = 20

const PEERS_UNAVAILABLE: Partial<Record<SystemName, string>> = {
  'y-websocket': 'no multi-node mode: one server process per document',
  hocuspocus: 'Redis extension is at-most-once; every node loads every doc',
}

/** Where each client connects first, and which nodes it fails over to, in order. */
type Placement = { url: string; failover: string[] }

const openAll = async (clients: ClientSystem, placements: readonly Placement[], docId: string): Promise<SyncClient[]> => {
  const opened = placements.map((p) => clients.open(p.url, docId, { failover: p.failover }))
  try {
    await withTimeout(`${docId}: every client connected`, Promise.all(opened.map((c) => c.whenConnected())), CONNECT_TIMEOUT_MS)
  } catch (error) {
    await Promise.all(opened.map((c) => c.close()))
    throw error
  }
  return opened
}

/** Half the clients on A, half on B, alternating; with `failover`, each knows the other node too. */
const spread = (cluster: RelayCluster, count: number, failover = true): Placement[] =>
  Array.from({ length: count }, (_, i) => i % 2 === 0
    ? { url: cluster.a.url, failover: failover ? [cluster.b.url] : [] }
    : { url: cluster.b.url, failover: failover ? [cluster.a.url] : [] })

/** The replicas of one document in one layout, noting when each sees each probe edit. */
interface ProbeGroup {
  /** The next replica in turn makes probe edit `round`; resolves with the ms until every replica saw it. */
  probe(round: number): Promise<number>
  close(): Promise<void>
}

const openProbeGroup = async (clients: ClientSystem, placements: readonly Placement[], docId: string): Promise<ProbeGroup> => {
  const opened = await openAll(clients, placements, docId)
  const probes = new SeenByAll(opened.length)
  opened.forEach((client, index) => {
    client.doc.getMap<number>('probes').observe((event) => {
      const at = performance.now()
      for (const key of event.keysChanged) probes.seen(Number(key), index, at)
    })
  })
  return {
    async probe(round) {
      // Through two nodes, consecutive writers are on A and B in turn.
      const writer = opened[round % opened.length] as SyncClient
      probes.sent(round, performance.now())
      writer.doc.getMap<number>('probes').set(String(round), round)
      await waitUntil(() => probes.complete(round), PROBE_TIMEOUT_MS, `${docId}: probe ${round} seen by all`, { intervalMs: 1 })
      return probes.latency(round)
    },
    close: async () => { await Promise.all(opened.map((c) => c.close())) },
  }
}

type Layout = 'one' | 'two'

/**
 * Both layouts at once, each on its own document, their probes interleaved (which goes first flips every
 * round) so that both see the same machine load. Returns median and p95 of each and the ratios.
 */
const measureLatency = async (
  context: ScenarioContext, clients: ClientSystem, cluster: RelayCluster, rep: number,
): Promise<Record<string, number>> => {
  const { clients: count, rounds } = context.config.scaleOut
  const groups: Partial<Record<Layout, ProbeGroup>> = {}
  try {
    groups.one = await openProbeGroup(clients, Array.from({ length: count }, () => ({ url: cluster.a.url, failover: [] })), `scale-out-one-${rep}`)
    groups.two = await openProbeGroup(clients, spread(cluster, count), `scale-out-two-${rep}`)
    const latencies: Record<Layout, number[]> = { one: [], two: [] }
    for (let round = 0; round < WARMUP_ROUNDS + rounds; round++) {
      for (const layout of (round + rep) % 2 === 0 ? (['one', 'two'] as const) : (['two', 'one'] as const)) {
        const ms = await (groups[layout] as ProbeGroup).probe(round)
        if (round >= WARMUP_ROUNDS) latencies[layout].push(ms)
      }
    }
    const [oneMedian, twoMedian] = [median(latencies.one), median(latencies.two)]
    const [oneP95, twoP95] = [percentile(latencies.one, 95), percentile(latencies.two, 95)]
    return { oneMedian, twoMedian, oneP95, twoP95, ratioMedian: twoMedian / oneMedian, ratioP95: twoP95 / oneP95 }
  } finally {
    await Promise.all(Object.values(groups).map((g) => g.close()))
  }
}

const identical = (clients: readonly SyncClient[], length: number): boolean => {
  const first = clients[0]?.doc.getText('text').toString()
  return first?.length === length && clients.every((c) => c.doc.getText('text').toString() === first)
}

/**
 * Clients spread over both nodes type; node A gets SIGKILL mid-burst and is restarted on its port. Without
 * `failover`, A's clients can only wait for A to come back. Returns the seconds from the kill until every client
 * holds every edit, and until A listens again.
 */
const measureRestart = async (
  context: ScenarioContext, clients: ClientSystem, cluster: RelayCluster, docId: string, failover: boolean,
): Promise<{ identicalAfterS: number; listeningAfterS: number }> => {
  const { clients: count, editMs } = context.config.scaleOut
  const opened = await openAll(clients, spread(cluster, count, failover), docId)
  try {
    const rng = createRng(4242)
    let edits = 0
    const editEach = (): void => {
      for (const client of opened) {
        const text = client.doc.getText('text')
        text.insert(rng.int(0, text.length), String.fromCharCode(97 + (edits % 26)))
        edits++
      }
    }
    const stopAt = performance.now() + editMs
    while (performance.now() < stopAt) {
      editEach()
      await sleep(EDIT_GAP_MS)
    }
    // The last burst is still in flight (unacknowledged) when A dies.
    editEach()
    const killedAt = performance.now()
    await cluster.a.kill9()
    let listeningAfterS = Number.NaN
    const restarted = cluster.restartA().then(() => { listeningAfterS = (performance.now() - killedAt) / 1000 })
    // Settled here so a failed restart cannot be an unhandled rejection while convergence is awaited.
    const restartOutcome = restarted.then(() => undefined, (error: unknown) => error)
    const converged = await waitUntil(() => identical(opened, edits), CONVERGE_TIMEOUT_MS, `${docId}: every client identical after kill -9`, { intervalMs: 5 })
      .then(() => ({ at: performance.now() }), (error: unknown) => ({ error }))
    // Awaited even when convergence failed: a node still starting must not outlive the cluster.
    const restartError = await restartOutcome
    if ('error' in converged) throw converged.error
    if (restartError !== undefined) throw restartError
    const identicalAfterS = (converged.at - killedAt) / 1000
    // The restarted node must serve the whole document, too.
    const [fresh] = await openAll(clients, [{ url: cluster.a.url, failover: [] }], docId)
    try {
      await waitUntil(() => identical([fresh as SyncClient, ...opened], edits), CONVERGE_TIMEOUT_MS, `${docId}: restarted node A serves every edit`, { intervalMs: 5 })
    } finally {
      await fresh?.close()
    }
    return { identicalAfterS, listeningAfterS }
  } finally {
    await Promise.all(opened.map((c) => c.close()))
  }
}

/** Both restart variants (with and without failover), their order flipped every repetition. */
const measureRestarts = async (context: ScenarioContext, clients: ClientSystem, cluster: RelayCluster, rep: number): Promise<Record<string, number>> => {
  const result: Record<string, number> = {}
  for (const failover of rep % 2 === 0 ? [true, false] : [false, true]) {
    const docId = `scale-out-restart-${failover ? 'failover' : 'same'}-${rep}`
    const { identicalAfterS, listeningAfterS } = await measureRestart(context, clients, cluster, docId, failover)
    result[failover ? 'identicalAfterS' : 'identicalSameNodeS'] = identicalAfterS
    // Only without failover is the restart on the clients' critical path.
    if (!failover) result.listeningAfterS = listeningAfterS
  }
  return result
}

/** Rows of this scenario from Driftless's latency and restart samples (or its reason for having none). */
const rows = (
  latencySamples: Map<SystemName, SystemSamples>, restartSamples: Map<SystemName, SystemSamples>, unavailable: Partial<Record<SystemName, string>>,
): MetricRow[] => {
  const base = { scenario: SCENARIO } as const
  const why = { ...PEERS_UNAVAILABLE, ...unavailable }
  const latency = (metric: string, key: string): MetricRow =>
    rowFrom({ ...base, metric, key, unit: 'ms', better: 'lower' }, latencySamples, why)
  return [
    latency('edit→seen-by-all median, 1 node', 'oneMedian'),
    latency('edit→seen-by-all median, 2 nodes (half on each)', 'twoMedian'),
    rowFrom({ ...base, metric: 'median latency, 2 nodes ÷ 1 node', key: 'ratioMedian', unit: 'ratio', better: 'lower',
      target: { kind: 'atMost', value: 1.5, text: '≤ 1.5× single-node latency' } }, latencySamples, why),
    latency('edit→seen-by-all p95, 1 node', 'oneP95'),
    latency('edit→seen-by-all p95, 2 nodes (half on each)', 'twoP95'),
    rowFrom({ ...base, metric: 'p95 latency, 2 nodes ÷ 1 node', key: 'ratioP95', unit: 'ratio', better: 'lower' }, latencySamples, why),
    rowFrom({ ...base, metric: 'kill -9 node A → every client identical (A\'s replicas fail over to B)', key: 'identicalAfterS', unit: 's', better: 'lower',
      target: { kind: 'atMost', value: 5, text: '≤ 5 s' } }, restartSamples, why),
    rowFrom({ ...base, metric: 'kill -9 node A → every client identical (A\'s replicas wait for A)', key: 'identicalSameNodeS', unit: 's', better: 'lower' }, restartSamples, why),
    rowFrom({ ...base, metric: 'kill -9 node A → node A listening again', key: 'listeningAfterS', unit: 's', better: 'lower' }, restartSamples, why),
  ]
}

/** Two relay nodes through PostgreSQL + Redis: what does the extra hop cost, and how fast do clients recover from a node crash? */
export const scaleOut: Scenario = {
  id: 'scale-out',
  title: SCENARIO,
  async run(context) {
    const { clients: count, rounds, editMs } = context.config.scaleOut
    const method = `Driftless only. y-websocket has no multi-node story; Hocuspocus's Redis extension is at-most-once pub/sub and loads every document on every node, so neither is comparable. PostgreSQL (initdb into a temporary directory, default settings, synchronous_commit on) and redis-server (appendonly, appendfsync everysec, as the relay's scale-out guide recommends) run on 127.0.0.1; two relay CLI processes use them (DRIFTLESS_STORAGE=postgres://…, DRIFTLESS_BROKER=redis://…). **Latency:** ${count} replicas (memory storage, in the harness process) on one document make ${rounds} probe edits one at a time (after ${WARMUP_ROUNDS} unmeasured ones), each by the next replica in turn (one key of a Y.Map); a probe's latency is from the edit until the last replica's observer saw it. "1 node": all replicas on node A (same PostgreSQL and Redis; node B idle). "2 nodes": replicas alternate between A and B, so every probe crosses Redis to half of them. Both layouts are open at once on two documents and their probes interleave (which goes first flips every round), so both see the same machine load. Median and p95 are over the ${rounds} probes of one repetition, the ratio is taken per repetition, and cells summarize the repetitions. **Restart:** ${count} replicas alternate between A (relay: [A, B]) and B (relay: [B, A]) on a fresh document and each inserts a character every ${EDIT_GAP_MS} ms for ${editMs} ms, then once more, and node A gets SIGKILL at once (its replicas' last edits unacknowledged). A is restarted on its port right away. Timed from the kill until every replica holds the same text with every edit (A's replicas fail over to B with their default backoff: 250 ms base, full jitter); then a fresh replica on the restarted A must load the same text. The same again with A's replicas knowing only A (relay: A), so they converge only once A is back; "listening again" is from that run. The two variants alternate, order flipped each repetition. If redis-server or PostgreSQL is not installed, the rows say so.`
    const clients = context.clients.driftless
    if (!clients) return { rows: rows(new Map(), new Map(), { driftless: context.driftlessUnavailable ?? 'Driftless unavailable' }), method }
    let cluster: RelayCluster
    try {
      cluster = await startRelayCluster()
    } catch (error) {
      if (!(error instanceof BackingServiceError)) throw error
      context.log(`  scale-out not measured: ${error.message}`)
      return { rows: rows(new Map(), new Map(), { driftless: error.message }), method }
    }
    try {
      const latency = await repeatAlternating(context, ['driftless'] as const, (_, rep) => measureLatency(context, clients, cluster, rep))
      const restart = await repeatAlternating(context, ['driftless'] as const, (_, rep) => measureRestarts(context, clients, cluster, rep))
      return { rows: rows(latency, restart, {}), method }
    } finally {
      await cluster.destroy()
    }
  },
}
