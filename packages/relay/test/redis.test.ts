import { Redis } from 'ioredis'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import * as Y from 'yjs'
import { runBrokerContract } from '@driftless/relay/testing'
import { startProxy, type TcpProxy } from '@driftless/testkit/support'
import { BrokerError } from '../src/adapter-errors.js'
import { createRedisBroker, type RedisBroker, type RedisBrokerOptions } from '../src/broker/redis.js'
import { startRedis, type RedisServer } from './services/redis-server.js'

let server: RedisServer
let admin: Redis
let brokers: RedisBroker[] = []
let warnings: { details: object; message: string }[] = []
let prefixCount = 0

beforeAll(async () => {
  server = await startRedis()
  admin = new Redis(server.url, { maxRetriesPerRequest: null })
  admin.on('error', () => {}) // expected while the server restarts
})
afterEach(async () => {
  await Promise.all(brokers.map((b) => b.close()))
  brokers = []
  warnings = []
})
afterAll(async () => {
  admin?.disconnect()
  await server?.destroy()
})

const encode = (text: string): Uint8Array => new TextEncoder().encode(text)
const decode = (bytes: Uint8Array): string => new TextDecoder().decode(bytes)

/** Brokers of one "deployment" share a key prefix; each test gets its own. */
function deployment(extra: Partial<RedisBrokerOptions> = {}): (nodeExtra?: Partial<RedisBrokerOptions>) => RedisBroker {
  const keyPrefix = `t${++prefixCount}:doc:`
  return (nodeExtra = {}) => {
    const broker = createRedisBroker({
      url: server.url,
      keyPrefix,
      logger: { warn: (details, message) => warnings.push({ details, message }) },
      isValidUpdate: (update) => update.byteLength > 0, // most tests send readable text, not Yjs
      ...extra,
      ...nodeExtra,
    })
    brokers.push(broker)
    return broker
  }
}

/** Subscribes and collects what arrives, as text. */
async function collect(broker: RedisBroker, docId: string): Promise<{ received: string[]; stop: () => void }> {
  const received: string[] = []
  const stop = await broker.subscribe(docId, (update) => received.push(decode(update)))
  return { received, stop }
}

runBrokerContract('redis', () => {
  const keyPrefix = `contract${++prefixCount}:doc:`
  const proxies: TcpProxy[] = []
  const open = (url: string): RedisBroker => createRedisBroker({ url, keyPrefix, logger: { warn: () => {} } })
  return {
    openNode: () => open(server.url),
    async openCuttableNode() {
      const proxy = await startProxy({ target: { host: '127.0.0.1', port: server.port } })
      proxies.push(proxy)
      return { broker: open(`redis://127.0.0.1:${proxy.port}`), cut: () => proxy.partition(), restore: () => proxy.heal() }
    },
    async cleanup() {
      await Promise.all(proxies.map((proxy) => proxy.close()))
    },
  }
})

describe('redis broker', () => {
  it('delivers an update to the other nodes that have the document open, never back to its publisher', async () => {
    const node = deployment()
    const [a, b, c] = [node(), node(), node()]
    const atA = await collect(a, 'doc')
    const atB = await collect(b, 'doc')
    const atC = await collect(c, 'other')
    await a.publish('doc', encode('hello'))
    await expect.poll(() => atB.received).toEqual(['hello'])
    await b.publish('doc', encode('back'))
    await expect.poll(() => atA.received).toEqual(['back'])
    expect(atB.received).toEqual(['hello'])
    expect(atC.received).toEqual([])
  })

  it('writes one stream per document, with the node id in every entry', async () => {
    const node = deployment()
    const a = node({ nodeId: 'node-a' })
    await a.publish('board-1', encode('x'))
    const entries = await admin.xrange(a.streamKey('board-1'), '-', '+')
    expect(entries).toHaveLength(1)
    expect(entries[0]?.[1]).toEqual(['n', 'node-a', 'u', 'x'])
    expect(await admin.pttl(a.streamKey('board-1'))).toBeGreaterThan(0) // an abandoned stream expires
  })

  it('reads all subscribed streams over one blocking connection, re-issuing the read when the set changes', async () => {
    const node = deployment({ blockMs: 25_000 })
    const [a, b] = [node(), node()]
    const docs = Array.from({ length: 20 }, (_, i) => `doc-${i}`)
    const received = await Promise.all(docs.slice(0, 10).map((d) => collect(b, d)))
    // b is now blocked for 25 s on the first ten streams; new subscriptions must not wait for that.
    received.push(...(await Promise.all(docs.slice(10).map((d) => collect(b, d)))))
    for (const d of docs) await a.publish(d, encode(d))
    await expect.poll(() => received.map((r) => r.received.join()), { timeout: 5000 }).toEqual(docs)
    const clients = (await admin.client('LIST')) as string
    expect(clients.split('\n').filter((line) => line.includes(`name=driftless-reader-${b.nodeId}`))).toHaveLength(1)
  })

  it('stops delivering once unsubscribed, and reads no stream nobody has open', async () => {
    const node = deployment({ blockMs: 25_000 })
    const [a, b] = [node(), node()]
    const first = await collect(b, 'doc')
    await a.publish('doc', encode('1'))
    await expect.poll(() => first.received).toEqual(['1'])
    first.stop()
    await a.publish('doc', encode('2'))
    const probe = await collect(b, 'probe') // an update on another stream proves the reader ran since
    await a.publish('probe', encode('p'))
    await expect.poll(() => probe.received).toEqual(['p'])
    expect(first.received).toEqual(['1'])
  })

  it('delivers an update published right after subscribe resolves, and replays only the recent past', async () => {
    const node = deployment()
    const [a, b, c] = [node(), node(), node({ replayMs: 0 })]
    await a.publish('doc', encode('before'))
    const atB = await collect(b, 'doc')
    const atC = await collect(c, 'doc')
    await a.publish('doc', encode('after'))
    await expect.poll(() => atB.received).toEqual(['before', 'after'])
    await expect.poll(() => atC.received).toEqual(['after'])
  })

  it('continues from where it was after its connection is killed: nothing missed, nothing twice', async () => {
    const node = deployment()
    const [a, b] = [node(), node()]
    const atB = await collect(b, 'doc')
    const sent: string[] = []
    for (let i = 0; i < 60; i++) {
      sent.push(`u${i}`)
      await a.publish('doc', encode(`u${i}`))
      if (i % 15 === 7) await admin.client('KILL', 'ID', String(await readerId(b)))
    }
    await expect.poll(() => atB.received, { timeout: 10_000 }).toEqual(sent)
  })

  it('survives a Redis restart: publishes wait, readers resume from their last id', async () => {
    const node = deployment()
    const [a, b] = [node(), node({ maxPendingPublishes: 3 })]
    const atB = await collect(b, 'doc')
    const atA = await collect(a, 'doc')
    await a.publish('doc', encode('before'))
    await expect.poll(() => atB.received).toEqual(['before'])
    await server.stop()
    const waiting = [a.publish('doc', encode('during-1')), a.publish('doc', encode('during-2'))]
    const fromB = [1, 2, 3].map((i) => b.publish('doc', encode(`b${i}`)))
    await expect(b.publish('doc', encode('b4'))).rejects.toMatchObject({ code: 'backlog' })
    await server.start()
    await Promise.all([...waiting, ...fromB])
    await a.publish('doc', encode('after'))
    await expect.poll(() => atB.received, { timeout: 10_000 }).toEqual(['before', 'during-1', 'during-2', 'after'])
    await expect.poll(() => atA.received, { timeout: 10_000 }).toEqual(['b1', 'b2', 'b3'])
  })

  it('markDurable trims the stream up to its durable point, keeping the safety margin', async () => {
    const node = deployment()
    const strict = node({ trimMarginMs: 0 })
    const careful = node({ trimMarginMs: 60_000 })
    for (let i = 0; i < 10; i++) await strict.publish('a', encode(`${i}`))
    for (let i = 0; i < 10; i++) await careful.publish('b', encode(`${i}`))
    await strict.markDurable!('a')
    await careful.markDurable!('b')
    const kept = await admin.xrange(strict.streamKey('a'), '-', '+')
    expect(kept.map(([, fields]) => fields[3])).toEqual(['9']) // only the entry at the durable point
    expect(await admin.xlen(careful.streamKey('b'))).toBe(10)
    expect(await admin.pttl(strict.streamKey('a'))).toBeGreaterThan(0)
    await strict.publish('a', encode('10'))
    expect(await admin.xlen(strict.streamKey('a'))).toBe(2) // appended after the durable point: kept
  })

  it('logs and skips poisoned entries without stalling later entries or other documents', async () => {
    const node = deployment({ isValidUpdate: undefined }) // the default check: well-formed Yjs only
    const [a, b] = [node(), node()]
    const doc = new Y.Doc()
    doc.getText('t').insert(0, 'ok')
    const good = Y.encodeStateAsUpdate(doc)
    const received = new Map<string, number>()
    const count = (docId: string) => () => received.set(docId, (received.get(docId) ?? 0) + 1)
    await b.subscribe('doc', count('doc'))
    await b.subscribe('other', count('other'))
    await b.subscribe('throws', () => {
      throw new Error('handler bug')
    })
    const key = b.streamKey('doc')
    await admin.xadd(key, '*', 'u', Buffer.from(good)) // no node id
    await admin.xadd(key, '*', 'n', 'x') // no update
    await admin.xadd(key, '*', 'n', 'x', 'u', 'not yjs at all') // invalid payload
    await admin.xadd(key, '*', 'n') // odd field count is refused by Redis, so use a lone garbage field
      .catch(() => admin.xadd(key, '*', 'junk', '1'))
    await a.publish('throws', good)
    await a.publish('doc', good)
    await a.publish('other', good)
    await expect.poll(() => [received.get('doc'), received.get('other')]).toEqual([1, 1])
    const reasons = warnings.map((w) => (w.details as { reason?: string }).reason ?? w.message)
    expect(reasons).toEqual(expect.arrayContaining(['no node id field', 'no update field', 'not a valid update', 'broker update handler failed']))
  })

  it('opens a document while Redis is down and receives what is published once it is back', async () => {
    const node = deployment()
    const [a, b] = [node(), node()]
    await collect(a, 'warm') // both connected once
    await collect(b, 'warm')
    await server.stop()
    let atB: Awaited<ReturnType<typeof collect>>
    try {
      atB = await collect(b, 'doc') // resolves without Redis
    } finally {
      await server.start()
    }
    await a.publish('doc', encode('after'))
    await expect.poll(() => atB.received, { timeout: 10_000 }).toEqual(['after'])
  })

  it('closes without waiting for an unreachable Redis', async () => {
    const node = deployment()
    const a = node()
    await collect(a, 'doc')
    await server.stop()
    try {
      const pending = a.publish('doc', encode('never sent'))
      const rejected = expect(pending).rejects.toThrow() // before close rejects it: else an unhandled rejection
      await a.close()
      await rejected
    } finally {
      await server.start()
    }
  })

  it('closes without waiting for a Redis that stopped answering on an open connection', async () => {
    // A stalled Redis (SIGSTOP) keeps its connections open and answers nothing: close must not wait for it.
    const a = deployment()()
    await collect(a, 'doc')
    server.freeze()
    try {
      const rejected = expect(a.publish('doc', encode('never answered'))).rejects.toBeInstanceOf(BrokerError)
      const closed = a.close().then(() => 'closed' as const)
      const stuck = new Promise<'stuck'>((resolve) => setTimeout(() => resolve('stuck'), 10_000).unref())
      expect(await Promise.race([closed, stuck])).toBe('closed')
      await rejected
    } finally {
      server.thaw()
    }
  })

  it('refuses to publish after close', async () => {
    const a = deployment()()
    await a.close()
    await expect(a.publish('doc', encode('x'))).rejects.toBeInstanceOf(BrokerError)
  })

  it('reports a command Redis refuses as a BrokerError coded operationFailed, with the reply as cause', async () => {
    const a = deployment()()
    await admin.set(a.streamKey('not-a-stream'), 'a string') // XADD on it fails with WRONGTYPE
    const error: unknown = await a.publish('not-a-stream', encode('x')).catch((e: unknown) => e)
    expect(error).toBeInstanceOf(BrokerError)
    expect((error as BrokerError).code).toBe('operationFailed')
    expect(String((error as BrokerError).cause)).toContain('WRONGTYPE')
  })
})

describe('redis broker, a node that missed trimmed entries', () => {
  it('notices after reconnecting and delivers the stored document instead', async () => {
    const proxy = await startProxy({ target: { host: '127.0.0.1', port: server.port } })
    const logs: string[] = []
    const logger = { warn: (_: object, message: string) => logs.push(message) }
    const keyPrefix = `gap${++prefixCount}:doc:`
    const isValidUpdate = (update: Uint8Array): boolean => update.byteLength > 0
    const stored = new Y.Doc()
    stored.getText('t').insert(0, 'stored')
    const storage = { load: async () => [{ id: 1, update: Y.encodeStateAsUpdate(stored) }] }
    const a = createRedisBroker({ url: server.url, keyPrefix, logger, isValidUpdate, trimMarginMs: 0 })
    const b = createRedisBroker({ url: `redis://127.0.0.1:${proxy.port}`, keyPrefix, logger, isValidUpdate, storage })
    const c = createRedisBroker({ url: `redis://127.0.0.1:${proxy.port}`, keyPrefix, logger, isValidUpdate })
    try {
      const atB: Uint8Array[] = []
      await b.subscribe('doc', (update) => atB.push(update))
      const atC = await collect(c, 'doc')
      await a.publish('doc', encode('seen'))
      await expect.poll(() => atB.map(decode)).toEqual(['seen'])
      await expect.poll(() => atC.received).toEqual(['seen'])
      proxy.hold()
      for (const text of ['gone-1', 'gone-2', 'kept']) await a.publish('doc', encode(text))
      await a.markDurable!('doc') // trims everything before 'kept': b and c never read 'gone-*'
      proxy.dropConnections()
      const textOf = (update: Uint8Array): string => {
        const doc = new Y.Doc()
        try {
          Y.applyUpdate(doc, update)
        } catch {
          return decode(update)
        }
        return doc.getText('t').toString() || decode(update)
      }
      await expect.poll(() => atB.map(textOf), { timeout: 10_000 }).toEqual(expect.arrayContaining(['stored', 'kept']))
      await expect.poll(() => atC.received, { timeout: 10_000 }).toEqual(['seen', 'kept'])
      expect(logs).toContain('missed broker entries; delivering the stored document instead')
      expect(logs).toContain('missed broker entries (trimmed before they were read); clients get them at their next resync')
    } finally {
      await Promise.all([a.close(), b.close(), c.close()])
      await proxy.close()
    }
  })
})

describe('redis broker after a Redis crash', () => {
  it('publishes again the recent entries the restarted server lost, so a lagging node still gets them', async () => {
    const volatile = await startRedis({ appendOnly: false })
    const proxy = await startProxy({ target: { host: '127.0.0.1', port: volatile.port } })
    const logs: string[] = []
    const logger = { warn: (_: object, message: string) => logs.push(message) }
    const isValidUpdate = (update: Uint8Array): boolean => update.byteLength > 0
    const a = createRedisBroker({ url: volatile.url, logger, isValidUpdate })
    const b = createRedisBroker({ url: `redis://127.0.0.1:${proxy.port}`, logger, isValidUpdate })
    const c = createRedisBroker({ url: volatile.url, logger, isValidUpdate, republishWindowMs: 0 })
    try {
      const atB = await collect(b, 'doc')
      await a.publish('doc', encode('seen'))
      await expect.poll(() => atB.received).toEqual(['seen'])
      proxy.hold() // b now lags: nothing from Redis reaches it
      await a.publish('doc', encode('lost-1'))
      await a.publish('doc', encode('lost-2'))
      await c.publish('doc', encode('lost-forever'))
      await volatile.crash()
      proxy.release()
      await volatile.start()
      await expect.poll(() => atB.received, { timeout: 10_000 }).toEqual(expect.arrayContaining(['lost-1', 'lost-2']))
      expect(atB.received).not.toContain('lost-forever') // c keeps nothing to publish again: the loss is real
      expect(logs).toContain('redis restarted without our latest entries; published them again')
    } finally {
      await Promise.all([a.close(), b.close(), c.close()])
      await proxy.close()
      await volatile.destroy()
    }
  })
})

/** Client id of a broker's blocking reader connection, from CLIENT LIST. */
async function readerId(broker: RedisBroker): Promise<number> {
  let id: string | undefined
  await expect.poll(async () => {
    const clients = (await admin.client('LIST')) as string
    const line = clients.split('\n').find((l) => l.includes(`name=driftless-reader-${broker.nodeId}`))
    id = /\bid=(\d+)/.exec(line ?? '')?.[1]
    return id
  }, { timeout: 5000 }).toBeDefined()
  return Number(id)
}
