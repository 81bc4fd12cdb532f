/**
 * Measures what docs/scale-out.md quotes: fan-out latency on one node vs across two nodes (Redis), Redis and
 * PostgreSQL work per edit, and memory per connection/document of a node. Not part of `npm test`:
 *   node --conditions=@driftless/source --import tsx packages/relay/test/services/measure-scale-out.ts
 */
import { Redis } from 'ioredis'
import pg from 'pg'
import { WebSocket } from 'ws'
import * as Y from 'yjs'
import { decodeMessage, encodeMessage, PROTOCOL_VERSION, type Message } from '@driftless/protocol'
import { readFileSync } from 'node:fs'
import { DEFAULT_PREFIX, DEFAULT_TABLE, spawnNode, type Deployment, type ProcessNode } from './cluster.js'
import { startPostgres } from './postgres-server.js'
import { startRedis } from './redis-server.js'

const WRITERS = 10
const READERS = 10
const EDITS_PER_WRITER = 200
const INTERVAL_MS = 10
const RUNS = 3

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms))
const key = (update: Uint8Array): string => Buffer.from(update).toString('base64')

/** Bare protocol client: enough to subscribe, send updates and see what arrives. */
class Client {
  onMessage: (message: Message) => void = () => {}
  private constructor(readonly ws: WebSocket) {
    ws.binaryType = 'nodebuffer'
    ws.on('message', (data: Buffer) => {
      const decoded = decodeMessage(new Uint8Array(data))
      if (decoded.ok) this.onMessage(decoded.message)
    })
  }
  static async open(url: string, docId: string): Promise<Client> {
    const ws = new WebSocket(url, 'driftless')
    await new Promise((resolve, reject) => ws.once('open', resolve).once('error', reject))
    const client = new Client(ws)
    const subscribed = new Promise<void>((resolve) => {
      client.onMessage = (m) => {
        if (m.type === 'sync-step-1') resolve()
      }
    })
    client.send({ type: 'hello', version: PROTOCOL_VERSION, token: '' })
    client.send({ type: 'subscribe', docId, stateVector: new Uint8Array([0]) })
    await subscribed
    return client
  }
  send(message: Message): void {
    this.ws.send(encodeMessage(message))
  }
}

const percentile = (sorted: readonly number[], p: number): number => sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))] ?? NaN

/** Writers on `writeNode`, readers on `readNode`; returns delivery latencies (ms) seen by the readers. */
async function fanOut(writeNode: ProcessNode, readNode: ProcessNode, docId: string): Promise<number[]> {
  const sentAt = new Map<string, number>()
  const latencies: number[] = []
  const readers = await Promise.all(Array.from({ length: READERS }, () => Client.open(readNode.url, docId)))
  for (const reader of readers) {
    reader.onMessage = (m) => {
      if (m.type !== 'update') return
      const at = sentAt.get(key(m.update))
      if (at !== undefined) latencies.push(performance.now() - at)
    }
  }
  const writers = await Promise.all(Array.from({ length: WRITERS }, () => Client.open(writeNode.url, docId)))
  const docs = writers.map(() => new Y.Doc())
  let acked = 0
  for (const w of writers) w.onMessage = (m) => { if (m.type === 'ack') acked++ }
  for (let i = 0; i < EDITS_PER_WRITER; i++) {
    writers.forEach((w, n) => {
      const doc = docs[n]!
      let update: Uint8Array | undefined
      doc.once('update', (u: Uint8Array) => { update = u })
      doc.getText('t').insert(0, `w${n}e${i};`)
      sentAt.set(key(update!), performance.now())
      w.send({ type: 'update', docId, update: update!, ackId: i + 1 })
    })
    await sleep(INTERVAL_MS)
  }
  const deadline = Date.now() + 20_000
  while ((latencies.length < WRITERS * EDITS_PER_WRITER * READERS || acked < WRITERS * EDITS_PER_WRITER) && Date.now() < deadline) await sleep(20)
  for (const c of [...readers, ...writers]) c.ws.close()
  return latencies.sort((a, b) => a - b)
}

const summary = (l: readonly number[]): string =>
  `n=${l.length} p50=${percentile(l, 0.5).toFixed(2)} p95=${percentile(l, 0.95).toFixed(2)} p99=${percentile(l, 0.99).toFixed(2)} ms`

/** CPU time (ms) a process has used, from /proc (clock ticks of 10 ms). */
const cpuMs = (pid: number): number => {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ')
  return (Number(fields[11]) + Number(fields[12])) * 10
}

async function redisCounters(redis: Redis): Promise<{ calls: Map<string, number>; input: number; output: number; cpuMs: number }> {
  const info = await redis.info('all')
  const calls = new Map<string, number>()
  for (const match of info.matchAll(/^cmdstat_(\w+(?:\|\w+)?):calls=(\d+)/gm)) calls.set(match[1]!, Number(match[2]))
  const stat = (name: string): number => Number(new RegExp(`^${name}:(\\d+)`, 'm').exec(info)?.[1] ?? 0)
  const cpu = (name: string): number => Number(new RegExp(`^${name}:([\\d.]+)`, 'm').exec(info)?.[1] ?? 0)
  return { calls, input: stat('total_net_input_bytes'), output: stat('total_net_output_bytes'), cpuMs: (cpu('used_cpu_sys') + cpu('used_cpu_user')) * 1000 }
}

async function pgCounters(client: pg.Client): Promise<{ commits: number; inserted: number; wal: bigint }> {
  const r = await client.query<{ commits: string; inserted: string; wal: string }>(
    `SELECT xact_commit AS commits, tup_inserted AS inserted, pg_wal_lsn_diff(pg_current_wal_lsn(), '0/0')::bigint::text AS wal
     FROM pg_stat_database WHERE datname = current_database()`)
  const row = r.rows[0]!
  return { commits: Number(row.commits), inserted: Number(row.inserted), wal: BigInt(row.wal) }
}

const pgServer = await startPostgres()
const redisServer = await startRedis()
const deployment: Deployment = { pgUrl: pgServer.url, table: DEFAULT_TABLE, redisUrl: redisServer.url, keyPrefix: DEFAULT_PREFIX }
const [a, b] = [await spawnNode(deployment), await spawnNode(deployment)]
const redis = new Redis(redisServer.url)
const pgClient = new pg.Client({ connectionString: pgServer.url })
await pgClient.connect()
try {
  await fanOut(a, a, 'warmup')
  await fanOut(a, b, 'warmup')
  for (let run = 0; run < RUNS; run++) {
    const cpuOne = cpuMs(a.pid)
    const one = await fanOut(a, a, `one-${run}`)
    const cpuOneUsed = cpuMs(a.pid) - cpuOne
    const [cpuA, cpuB] = [cpuMs(a.pid), cpuMs(b.pid)]
    const r0 = await redisCounters(redis)
    const p0 = await pgCounters(pgClient)
    await sleep(200) // let pg_stat counters of the previous run settle
    const two = await fanOut(a, b, `two-${run}`)
    const [cpuAUsed, cpuBUsed] = [cpuMs(a.pid) - cpuA, cpuMs(b.pid) - cpuB]
    await sleep(700) // stats are flushed by backends at most every 500 ms (idle)
    const r1 = await redisCounters(redis)
    const p1 = await pgCounters(pgClient)
    const edits = WRITERS * EDITS_PER_WRITER
    const perEdit = [...r1.calls].map(([c, n]) => [c, (n - (r0.calls.get(c) ?? 0)) / edits] as const).filter(([, n]) => n > 0.001)
    console.log(`run ${run}: one node   ${summary(one)}`)
    console.log(`run ${run}: two nodes  ${summary(two)}  ratio p50 ${(percentile(two, 0.5) / percentile(one, 0.5)).toFixed(2)} p95 ${(percentile(two, 0.95) / percentile(one, 0.95)).toFixed(2)}`)
    console.log(`  redis per edit: ${perEdit.map(([c, n]) => `${c}=${n.toFixed(3)}`).join(' ')}; bytes in ${((r1.input - r0.input) / edits).toFixed(0)} out ${((r1.output - r0.output) / edits).toFixed(0)}`)
    console.log(`  node CPU per edit (ms): one node ${(cpuOneUsed / edits).toFixed(3)} (commit + ${READERS} deliveries); two nodes: writer ${(cpuAUsed / edits).toFixed(3)} reader ${(cpuBUsed / edits).toFixed(3)}; redis ${((r1.cpuMs - r0.cpuMs) / edits).toFixed(3)}`)
    console.log(`  postgres per edit: commits ${((p1.commits - p0.commits) / edits).toFixed(3)} rows ${((p1.inserted - p0.inserted) / edits).toFixed(3)} WAL bytes ${(Number(p1.wal - p0.wal) / edits).toFixed(0)}`)
  }
  // Memory of one node process per connection (each on its own document, and several per document).
  const rssKiB = (): number => Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${b.pid}/status`, 'utf8'))?.[1])
  const before = rssKiB()
  const clients: Client[] = []
  for (let i = 0; i < 1000; i++) clients.push(await Client.open(b.url, `mem-${i % 250}`))
  await sleep(500)
  console.log(`memory: node RSS +${((rssKiB() - before) / 1000).toFixed(1)} KiB per connection (1000 connections on 250 documents)`)
  for (const c of clients) c.ws.close()
} finally {
  redis.disconnect()
  await pgClient.end()
  await a.kill('SIGTERM')
  await b.kill('SIGTERM')
  await redisServer.destroy()
  await pgServer.destroy()
}
