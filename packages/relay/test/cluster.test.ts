import { Redis } from 'ioredis'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { WebSocket } from 'ws'
import * as Y from 'yjs'
import { openReplica, type Replica } from '@driftless/replica'
import { createPostgresStorage } from '../src/storage/postgres.js'
import { GatedStorage } from './gated-storage.js'
import { DEFAULT_PREFIX, DEFAULT_TABLE, spawnNode, startNode, type Deployment, type InProcessNode } from './services/cluster.js'
import { startPostgres, type PostgresServer } from './services/postgres-server.js'
import { startRedis, type RedisServer } from './services/redis-server.js'

let pg: PostgresServer
let redis: RedisServer
let deploymentCount = 0

beforeAll(async () => {
  ;[pg, redis] = await Promise.all([startPostgres(), startRedis()])
})
afterAll(async () => {
  await Promise.all([pg?.destroy(), redis?.destroy()])
})

const newDeployment = (): Deployment => {
  const n = ++deploymentCount
  return { pgUrl: pg.url, table: `cluster${n}`, redisUrl: redis.url, keyPrefix: `cluster${n}:doc:` }
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms))

/** A replica that prefers node `first` and fails over to the others, in order. */
function replicaOn(urls: readonly string[], first: number, docId: string): Replica {
  const relay = urls.map((_, i) => urls[(first + i) % urls.length]!)
  return openReplica({
    docId, relay, storage: 'memory', WebSocket: WebSocket as never, crossTab: false,
    backoff: { baseMs: 50, capMs: 500 },
  })
}

/** Each replica writes its own letter; the sorted text shows exactly which edits a document holds. */
const letterOf = (i: number): string => String.fromCharCode(65 + i)
const sortedText = (doc: Y.Doc): string => [...doc.getText('t').toString()].sort().join('')
const expectedText = (replicas: number, editsEach: number): string =>
  Array.from({ length: replicas }, (_, i) => letterOf(i).repeat(editsEach)).join('')

/** Runs `editsEach` rounds in which every replica inserts its letter, pausing between rounds. */
async function editRounds(replicas: readonly Replica[], editsEach: number, pauseMs: number, during?: (round: number) => Promise<void>): Promise<void> {
  for (let round = 0; round < editsEach; round++) {
    replicas.forEach((r, i) => r.doc.getText('t').insert(0, letterOf(i)))
    await during?.(round)
    await sleep(pauseMs)
  }
}

/** What PostgreSQL holds for a document, read straight from the table. */
async function storedText(deployment: Deployment, docId: string): Promise<string> {
  const storage = createPostgresStorage({ url: deployment.pgUrl, table: deployment.table, poolSize: 1 })
  try {
    const doc = new Y.Doc()
    for (const row of await storage.load(docId)) Y.applyUpdate(doc, row.update)
    return sortedText(doc)
  } finally {
    await storage.close()
  }
}

async function converged(replicas: readonly Replica[], expected: string, timeout = 15_000): Promise<void> {
  await Promise.all(replicas.map((r) => r.whenSynced()))
  await expect.poll(() => replicas.map((r) => sortedText(r.doc)), { timeout }).toEqual(replicas.map(() => expected))
}

// Real servers and a child process on a shared machine: generous, but bounded.
describe('three relay nodes with PostgreSQL and Redis', { timeout: 90_000 }, () => {
  it('clients spread over the nodes edit one document and converge through the Redis stream', async () => {
    const deployment = newDeployment()
    const nodes: InProcessNode[] = await Promise.all([0, 1, 2].map(() => startNode(deployment)))
    const replicas = Array.from({ length: 6 }, (_, i) => replicaOn(nodes.map((n) => n.url), i % 3, 'board'))
    const admin = new Redis(redis.url)
    try {
      await Promise.all(replicas.map((r) => r.whenSynced()))
      await editRounds(replicas, 20, 5)
      await converged(replicas, expectedText(6, 20))
      expect(await storedText(deployment, 'board')).toBe(expectedText(6, 20))
      for (const node of nodes) expect((await fetch(`${node.url.replace(/^ws/, 'http')}/healthz`)).status).toBe(200)
      // Every node published its clients' edits to the document's stream.
      const publishers = new Set((await admin.xrange(`${deployment.keyPrefix}board`, '-', '+')).map(([, f]) => f[1]))
      expect(publishers.size).toBe(3)
    } finally {
      admin.disconnect()
      await Promise.all(replicas.map((r) => r.close()))
      await Promise.all(nodes.map((n) => n.close()))
    }
  })

  it('a node killed with SIGKILL mid-edit: its clients fail over, no acknowledged write is lost, all converge', async () => {
    // The CLI node uses the default table and key prefix: a database of its own keeps it apart.
    const deployment = { pgUrl: await pg.createDatabase('sigkill'), table: DEFAULT_TABLE, redisUrl: redis.url, keyPrefix: DEFAULT_PREFIX }
    const doomed = await spawnNode(deployment)
    const survivors = await Promise.all([0, 1].map(() => startNode(deployment)))
    const urls = [doomed.url, ...survivors.map((n) => n.url)]
    // Replicas 0-2 start on the doomed node, 3-5 on the survivors.
    const replicas = Array.from({ length: 6 }, (_, i) => replicaOn(urls, i < 3 ? 0 : 1 + (i % 2), 'doc'))
    try {
      await Promise.all(replicas.map((r) => r.whenSynced()))
      let ackedBeforeKill = ''
      let killedAt = 0
      await editRounds(replicas, 30, 10, async (round) => {
        if (round !== 15) return
        await Promise.all(replicas.map((r) => r.whenSynced()))
        ackedBeforeKill = await storedText(deployment, 'doc')
        replicas.forEach((r, i) => r.doc.getText('t').insert(0, letterOf(i))) // in flight at the kill
        await doomed.kill('SIGKILL')
        killedAt = Date.now()
      })
      expect(ackedBeforeKill).toBe(expectedText(6, 16))
      await converged(replicas, expectedText(6, 31))
      const convergedMs = Date.now() - killedAt
      expect(await storedText(deployment, 'doc')).toBe(expectedText(6, 31))
      console.info(`cluster: clients of the killed node converged ${convergedMs} ms after the SIGKILL`)
    } finally {
      await doomed.kill('SIGKILL')
      await Promise.all(replicas.map((r) => r.close()))
      await Promise.all(survivors.map((n) => n.close()))
    }
  })

  it('Redis restarted mid-edit: fan-out resumes from the streams and the nodes converge', async () => {
    const deployment = newDeployment()
    const nodes = await Promise.all([0, 1, 2].map(() => startNode(deployment)))
    const replicas = Array.from({ length: 6 }, (_, i) => replicaOn(nodes.map((n) => n.url), i % 3, 'doc'))
    try {
      await Promise.all(replicas.map((r) => r.whenSynced()))
      await editRounds(replicas, 30, 10, async (round) => {
        if (round === 10) await redis.stop()
        if (round === 20) await redis.start()
      })
      await converged(replicas, expectedText(6, 30))
      expect(await storedText(deployment, 'doc')).toBe(expectedText(6, 30))
    } finally {
      await redis.start().catch(() => {}) // already running unless the test failed in between
      await Promise.all(replicas.map((r) => r.close()))
      await Promise.all(nodes.map((n) => n.close()))
    }
  })

  it('PostgreSQL stopped: acks pause with the writes pending on the clients; restarted: acks resume, nothing lost', async () => {
    const deployment = newDeployment()
    const nodes = await Promise.all([0, 1, 2].map(() => startNode(deployment, { storageTimeoutMs: 1000 })))
    const replicas = Array.from({ length: 3 }, (_, i) => replicaOn(nodes.map((n) => n.url), i, 'doc'))
    try {
      await Promise.all(replicas.map((r) => r.whenSynced()))
      await editRounds(replicas, 5, 5)
      await Promise.all(replicas.map((r) => r.whenSynced()))
      await pg.stop()
      await editRounds(replicas, 5, 5)
      let synced = 0
      const whenSynced = replicas.map((r) => r.whenSynced().then(() => synced++))
      await sleep(1500) // several commit attempts fail meanwhile
      expect(replicas.map((r) => r.pending > 0)).toEqual([true, true, true])
      expect(synced).toBe(0)
      await pg.start()
      await Promise.all(whenSynced)
      await converged(replicas, expectedText(3, 10))
      expect(await storedText(deployment, 'doc')).toBe(expectedText(3, 10))
    } finally {
      await pg.start().catch(() => {})
      await Promise.all(replicas.map((r) => r.close()))
      await Promise.all(nodes.map((n) => n.close()))
    }
  })

  it('failover while the first node\'s commit is pending: the other node acks only once it holds the change durably', async () => {
    const deployment = newDeployment()
    let gate: GatedStorage | undefined
    const a = await startNode(deployment, { wrapStorage: (storage) => (gate = new GatedStorage(storage)) })
    const b = await startNode(deployment)
    const writer = replicaOn([a.url, b.url], 0, 'failover')
    const watcher = replicaOn([b.url], 0, 'failover')
    try {
      await Promise.all([writer.whenSynced(), watcher.whenSynced()])
      gate!.hold()
      writer.doc.getText('t').insert(0, 'F')
      let resolved = false
      const synced = writer.whenSynced().then(() => { resolved = true })
      // The change reached node B through Redis, while node A's commit of it still waits.
      await expect.poll(() => sortedText(watcher.doc), { timeout: 15_000 }).toBe('F')
      expect(gate!.waiting).toBe(1)
      expect(resolved).toBe(false)
      // Node A dies before its commit; the writer fails over to B, whose memory already has the change.
      gate!.crash()
      await a.close()
      await synced
      expect(await storedText(deployment, 'failover')).toBe('F')
    } finally {
      await Promise.all([writer.close(), watcher.close()])
      await b.close()
    }
  })
})
