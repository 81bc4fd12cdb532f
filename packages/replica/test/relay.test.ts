import { createMemoryStorage as createRelayMemoryStorage, signToken, type Relay, type RelayOptions, type RelayStorage } from '@driftless/relay'
import { afterEach, describe, expect, it } from 'vitest'
import { WebSocket } from 'ws'
import { startTestRelay, waitUntil } from '@driftless/testkit/support'
import { presence } from '../src/presence.js'
import type { Replica } from '../src/index.js'
import { closeAll, replica, text } from './helpers.js'

const relays: Relay[] = []
const start = async (options: RelayOptions = {}): Promise<Relay> => {
  const relay = await startTestRelay(options)
  relays.push(relay)
  return relay
}
afterEach(async () => {
  await closeAll()
  await Promise.all(relays.splice(0).map((r) => r.close()))
})

const ws = WebSocket as unknown as NonNullable<Parameters<typeof replica>[0]['WebSocket']>

describe('replica against the real relay (Node, ws, memory storage)', () => {
  it('two replicas converge', async () => {
    const relay = await start()
    const a = replica({ relay: relay.url, WebSocket: ws, docId: 'converge' })
    const b = replica({ relay: relay.url, WebSocket: ws, docId: 'converge' })
    a.doc.getText('t').insert(0, 'from a;')
    b.doc.getText('t').insert(0, 'from b;')
    await Promise.all([a.whenSynced(), b.whenSynced()])
    await waitUntil(() => text(a) === text(b) && text(a).length === 14, 5_000, 'convergence')
    await waitUntil(() => a.status === 'synced' && b.status === 'synced', 5_000, 'synced')
  })

  it('shares presence (awareness) and removes it when a replica closes', async () => {
    const relay = await start()
    const a = replica({ relay: relay.url, WebSocket: ws, docId: 'presence' })
    const b = replica({ relay: relay.url, WebSocket: ws, docId: 'presence' })
    await waitUntil(() => a.status === 'synced' && b.status === 'synced', 5_000, 'both synced')
    presence(a).setLocalStateField('user', 'alice')
    await waitUntil(() => presence(b).getStates().get(a.doc.clientID)?.user === 'alice', 5_000, 'b sees alice')
    await a.close()
    await waitUntil(() => !presence(b).getStates().has(a.doc.clientID), 5_000, 'alice gone')
  })

  it('presence asked for late (after sync) learns the states announced before, from the relay', async () => {
    const relay = await start()
    const open = (): Replica => replica({ relay: relay.url, WebSocket: ws, docId: 'late-presence' })
    const [a, b, c] = [open(), open(), open()]
    await waitUntil(() => [a, b, c].every((r) => r.status === 'synced'), 5_000, 'all synced')
    presence(a).setLocalStateField('user', 'alice')
    await waitUntil(() => presence(c).getStates().get(a.doc.clientID)?.user === 'alice', 5_000, 'c sees alice')
    // Alice's state has reached b's socket by now, before b has presence to keep it in.
    await new Promise((resolve) => setTimeout(resolve, 50))
    // Without asking the relay, b would wait for alice's renewal, 15 s away.
    await waitUntil(() => presence(b).getStates().get(a.doc.clientID)?.user === 'alice', 5_000, 'b, attached later, sees alice')
    expect(presence(b)).toBe(presence(b))
    presence(b).setLocalStateField('user', 'bob')
    const d = open()
    await waitUntil(() => d.status === 'synced', 5_000, 'd synced')
    const names = () => [...presence(d).getStates().values()].map((state) => (state as { user?: string }).user).filter(Boolean).sort()
    await waitUntil(() => names().length === 2, 5_000, 'd sees alice and bob')
    expect(names()).toEqual(['alice', 'bob'])
  })

  it('whenSynced resolves only after the relay committed the change', async () => {
    const inner = createRelayMemoryStorage()
    let release: (() => void) | undefined
    let gate = new Promise<void>((resolve) => { release = resolve })
    let appends = 0
    const storage: RelayStorage = {
      ...inner,
      load: (docId) => inner.load(docId),
      append: async (writes) => {
        appends++
        await gate
        return inner.append(writes)
      },
      replace: (docId, ids, merged) => inner.replace(docId, ids, merged),
      versions: inner.versions,
      close: () => inner.close(),
    }
    const relay = await start({ storage })
    const a = replica({ relay: relay.url, WebSocket: ws, docId: 'ack' })
    await a.loaded
    a.doc.getText('t').insert(0, 'durable')
    let synced = false
    const done = a.whenSynced().then(() => { synced = true })
    await waitUntil(() => appends > 0, 5_000, 'the relay starts committing')
    await new Promise((resolve) => setTimeout(resolve, 100))
    expect(synced).toBe(false)
    expect(a.pending).toBe(1)
    release!()
    gate = Promise.resolve()
    await done
    expect(a.pending).toBe(0)
    const stored = await inner.load('ack')
    expect(stored.length).toBeGreaterThan(0)
  })

  it('fails over between two relay URLs', async () => {
    const first = await start()
    const second = await start()
    const a = replica({ relay: [first.url, second.url], WebSocket: ws, docId: 'failover' })
    a.doc.getText('t').insert(0, 'one')
    await a.whenSynced()
    await first.close()
    a.doc.getText('t').insert(3, ' two')
    await a.whenSynced()
    // The second node starts empty: after failover the resync sent it everything.
    const b = replica({ relay: second.url, WebSocket: ws, docId: 'failover' })
    await waitUntil(() => text(b) === 'one two', 5_000, 'the second node has the document')
  })

  it('refreshes the token in-band before it expires and keeps syncing', async () => {
    const secret = 'test-secret-test-secret-test-secret'
    const relay = await start({ auth: { secret, tokenGraceMs: 200 } })
    let issued = 0
    const token = async () => {
      issued++
      return signToken({ secret, docs: { refresh: 'write' }, expiresIn: 3 })
    }
    const a = replica({ relay: relay.url, WebSocket: ws, docId: 'refresh', token, refreshBeforeMs: 2_000 })
    await a.loaded
    await waitUntil(() => issued >= 2, 5_000, 'a second token')
    await new Promise((resolve) => setTimeout(resolve, 2_500)) // past the first token's expiry
    a.doc.getText('t').insert(0, 'still allowed')
    await a.whenSynced()
    expect(a.errors.filter((e) => e.code === 'unauthorized')).toEqual([])
  })

  it('reports an unauthorized token as a typed error', async () => {
    const relay = await start({ auth: { secret: 'test-secret-test-secret-test-secret' } })
    const a = replica({ relay: relay.url, WebSocket: ws, docId: 'denied', token: 'not-a-jwt' })
    await waitUntil(() => a.errors.some((e) => e.code === 'unauthorized'), 5_000, 'unauthorized error')
    // A static token that was refused is not retried: the replica settles offline.
    await waitUntil(() => a.status === 'offline', 5_000, 'offline')
    await new Promise((resolve) => setTimeout(resolve, 200))
    expect(a.status).toBe('offline')
  })

  it('a read-only token: the write raises read-only and the relay keeps its content', async () => {
    const secret = 'test-secret-test-secret-test-secret'
    const relay = await start({ auth: { secret } })
    const writer = replica({ relay: relay.url, WebSocket: ws, docId: 'ro', token: await signToken({ secret, docs: { ro: 'write' } }) })
    writer.doc.getText('t').insert(0, 'original')
    await writer.whenSynced()
    const reader = replica({ relay: relay.url, WebSocket: ws, docId: 'ro', token: await signToken({ secret, docs: { ro: 'read' } }) })
    await waitUntil(() => text(reader) === 'original', 5_000, 'reader has the document')
    reader.doc.getText('t').insert(0, 'vandal ')
    await waitUntil(() => reader.errors.some((e) => e.code === 'read-only'), 5_000, 'read-only error')
    await new Promise((resolve) => setTimeout(resolve, 100))
    expect(text(writer)).toBe('original')
  })
})
