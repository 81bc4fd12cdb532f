import { readFileSync } from 'node:fs'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { ErrorCode, type Message } from '@driftless/protocol'
import { startRelay as startRelayProcess, waitUntil, type RelayProcess } from '@driftless/testkit/support'
import { AwarenessStates, encodeAwareness, parseAwareness, type AwarenessEntry, type AwarenessLimits } from '../src/awareness.js'
import { signToken, type Relay } from '../src/index.js'
import { TestClient, startRelay } from './helpers.js'
import { ensureBuilt, relayBin } from './process.js'

const limits: AwarenessLimits = {
  maxStateBytes: 100, maxStatesPerConnection: 2, maxStatesPerDocument: 3, maxSnapshotBytes: 1000, timeoutMs: 1000,
}
const entry = (clientId: number, state: object | null, clock = 1): AwarenessEntry =>
  ({ clientId, clock, state: JSON.stringify(state) })
const idsOf = (update: Uint8Array | null): number[] => (update === null ? [] : parseAwareness(update)!.map(e => e.clientId))

describe('presence limits (AwarenessStates)', () => {
  it('holds at most maxStatesPerConnection client ids per connection and maxStatesPerDocument in all', () => {
    const states = new AwarenessStates<string>(limits)
    const first = states.apply([entry(1, {}), entry(2, {}), entry(3, {})], 'a')
    expect(first.accepted.map(e => e.clientId)).toEqual([1, 2])
    expect(first.refused).toMatch(/2 presence states per document/)
    expect(states.apply([entry(4, {})], 'b').refused).toBeNull()
    expect(states.apply([entry(5, {})], 'c').refused).toMatch(/already has 3/)
    expect(states.size).toBe(3)
    // Renewing an id a connection holds is always fine.
    expect(states.apply([entry(1, { typing: true }, 2)], 'a')).toEqual({ accepted: [entry(1, { typing: true }, 2)], refused: null })
  })

  it('refuses a state over maxStateBytes and keeps the previous one', () => {
    const states = new AwarenessStates<string>(limits)
    states.apply([entry(1, { name: 'ada' })], 'a')
    const big = states.apply([entry(1, { name: 'x'.repeat(200) }, 2)], 'a')
    expect(big).toMatchObject({ accepted: [], refused: expect.stringMatching(/over 100 bytes/) })
    expect(parseAwareness(states.snapshot()!)).toEqual([entry(1, { name: 'ada' })])
  })

  it('lets no connection set or remove a client id another connection owns', () => {
    const states = new AwarenessStates<string>(limits)
    states.apply([entry(1, { name: 'ada' })], 'a')
    expect(states.apply([entry(1, { name: 'mallory' }, 5)], 'b').refused).toMatch(/belongs to another connection/)
    expect(states.apply([entry(1, null, 5)], 'b').accepted).toEqual([])
    expect(parseAwareness(states.snapshot()!)).toEqual([entry(1, { name: 'ada' })])
    // Once the owner leaves, the id is free again.
    expect(idsOf(states.removeOwner('a'))).toEqual([1])
    expect(states.apply([entry(1, { name: 'bob' }, 6)], 'b').refused).toBeNull()
  })

  it('sends a newcomer at most maxSnapshotBytes, most recently renewed states first', () => {
    const states = new AwarenessStates<string>({ ...limits, maxStatesPerConnection: 10, maxStatesPerDocument: 10, maxStateBytes: 400, maxSnapshotBytes: 700 })
    states.apply([entry(1, { pad: 'a'.repeat(300) })], 'a', 0)
    states.apply([entry(2, { pad: 'b'.repeat(300) })], 'a', 10)
    states.apply([entry(3, { pad: 'c'.repeat(300) })], 'a', 20)
    states.apply([entry(4, { pad: 'd'.repeat(300) })], 'a', 30)
    const snapshot = states.snapshot()!
    expect(snapshot.length).toBeLessThanOrEqual(700)
    expect(idsOf(snapshot)).toEqual([4, 3])
  })

  it('takes states again after every one was removed (its maps go with the last state)', () => {
    const states = new AwarenessStates<string>(limits)
    expect(states.snapshot()).toBeNull()
    expect(states.removeOwner('a')).toBeNull()
    states.apply([entry(1, {}), entry(2, {})], 'a')
    expect(idsOf(states.removeOwner('a'))).toEqual([1, 2])
    expect(states.size).toBe(0)
    expect(states.snapshot()).toBeNull()
    // Removing what is gone changes nothing; the per-connection count started over.
    expect(states.apply([entry(1, null, 2)], 'a').accepted).toEqual([])
    expect(states.apply([entry(3, {}), entry(4, {})], 'b').refused).toBeNull()
    expect(idsOf(states.snapshot()).sort()).toEqual([3, 4])
  })

  it('drops states not renewed within timeoutMs', () => {
    const states = new AwarenessStates<string>(limits)
    states.apply([entry(1, {})], 'a', 0)
    states.apply([entry(2, {})], 'a', 600)
    expect(states.sweep(900)).toBeNull()
    expect(idsOf(states.sweep(1200))).toEqual([1])
    states.apply([entry(2, {}, 2)], 'a', 1500)
    expect(states.sweep(2000)).toBeNull()
    expect(states.size).toBe(1)
  })
})

describe('presence limits on a relay', () => {
  let relay: Relay
  const clients: TestClient[] = []
  afterEach(async () => {
    for (const client of clients.splice(0)) client.close()
    await relay.close()
  })
  const greeted = async (): Promise<TestClient> => {
    const client = await TestClient.greeted(relay.url)
    clients.push(client)
    return client
  }
  const awarenessOf = (client: TestClient): number[] =>
    client.of('awareness').flatMap(m => idsOf(m.update))

  it('refuses states past the limits with awarenessLimit, forwards only what it took, and ages out the silent', async () => {
    relay = await startRelay({ awareness: { maxStatesPerConnection: 2, timeoutMs: 300 } })
    const [mallory, watcher] = [await greeted(), await greeted()]
    await mallory.subscribe('doc')
    await watcher.subscribe('doc')
    mallory.send({ type: 'awareness', docId: 'doc', update: encodeAwareness([1, 2, 3, 4].map(id => entry(id, {}))) })
    const error = await mallory.waitFor(m => m.type === 'error')
    expect(error).toMatchObject({ code: ErrorCode.awarenessLimit, docId: 'doc' })
    await waitUntil(() => awarenessOf(watcher).length > 0, 5_000, 'forwarded presence')
    expect(awarenessOf(watcher)).toEqual([1, 2])
    // Nobody renews: the relay tells the watcher both are gone.
    await watcher.waitFor((m: Message) => m.type === 'awareness' && parseAwareness(m.update)!.every(e => e.state === 'null'))
  })
})

const SECRET = 'presence-flood-secret'

describe('a flood of presence against the relay process', { timeout: 120_000 }, () => {
  let relay: RelayProcess
  beforeAll(async () => {
    ensureBuilt()
    relay = await startRelayProcess({ bin: relayBin, args: ['--storage', 'memory', '--log-level', 'warn'], env: { DRIFTLESS_AUTH_SECRET: SECRET } })
  }, 120_000)
  afterAll(async () => {
    await relay?.dispose()
  })
  const rssMiB = (): number => {
    const kib = Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${relay.pid}/status`, 'utf8'))?.[1])
    return kib / 1024
  }

  it('100 MB of well-formed states under fresh client ids from a reader: bounded memory and first frame', async () => {
    const reader = await signToken({ secret: SECRET, docs: { doc: 'read' } })
    const flooder = await TestClient.greeted(relay.url, reader)
    await flooder.subscribe('doc')
    const before = rssMiB()
    const state = JSON.stringify({ pad: 'p'.repeat(1000) })
    let clientId = 1
    const MESSAGE_ENTRIES = 250
    const MESSAGES = 400 // 400 × 250 × ~1 KB = 100 MB
    for (let m = 0; m < MESSAGES; m++) {
      const entries = Array.from({ length: MESSAGE_ENTRIES }, () => ({ clientId: clientId++, clock: 1, state }))
      flooder.send({ type: 'awareness', docId: 'doc', update: encodeAwareness(entries) })
      if (m % 50 === 49) await new Promise(resolve => setTimeout(resolve, 20))
    }
    // Every message was read: the relay refused each one past the limit.
    await waitUntil(() => flooder.of('error').length >= MESSAGES - 1, 60_000, 'every flood message answered')
      .catch((error: unknown) => {
        throw new Error(`${String(error)}: ${flooder.of('error').length} errors, closed ${flooder.closeCode}, ${JSON.stringify(flooder.of('error').slice(0, 2))}`)
      })
    expect(flooder.of('error').every(e => e.code === ErrorCode.awarenessLimit)).toBe(true)

    const newcomer = await TestClient.greeted(relay.url, await signToken({ secret: SECRET, docs: { doc: 'write' } }))
    await newcomer.subscribe('doc')
    const first = await newcomer.waitFor(m => m.type === 'awareness')
    expect(first.type === 'awareness' && first.update.length).toBeLessThanOrEqual(256 * 1024)
    expect(first.type === 'awareness' && idsOf(first.update).length).toBeLessThanOrEqual(16)
    const health = await fetch(relay.url.replace('ws:', 'http:') + '/healthz')
    expect(health.status).toBe(200)
    const grown = rssMiB() - before
    console.log(`presence flood: relay RSS ${before.toFixed(0)} → ${(before + grown).toFixed(0)} MiB, first frame ${first.type === 'awareness' ? first.update.length : 0} bytes`)
    expect(grown).toBeLessThan(48)
    flooder.close()
    newcomer.close()
  })
})
