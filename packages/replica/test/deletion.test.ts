import { createMemoryStorage as createRelayMemoryStorage, createRelay, type Relay, type RelayStorage } from '@driftless/relay'
import { afterEach, describe, expect, it } from 'vitest'
import { WebSocket } from 'ws'
import { createMemoryStorage } from '../src/index.js'
import { waitUntil } from '@driftless/testkit/support'
import { closeAll, replica, text } from './helpers.js'

const ws = WebSocket as unknown as NonNullable<Parameters<typeof replica>[0]['WebSocket']>
const relays: Relay[] = []
let relayStorage: RelayStorage
const start = async (): Promise<Relay> => {
  relayStorage = createRelayMemoryStorage()
  const relay = await createRelay({ port: 0, host: '127.0.0.1', storage: relayStorage, logLevel: 'silent', documentIdleMs: 50 })
  relays.push(relay)
  return relay
}
afterEach(async () => {
  await closeAll()
  await Promise.all(relays.splice(0).map((r) => r.close()))
})

/** A replica that records whether it heard `deleted`. */
const watched = (options: Parameters<typeof replica>[0]) => {
  const r = replica({ WebSocket: ws, docId: 'doomed', ...options })
  let deleted = 0
  r.on('deleted', () => { deleted++ })
  return Object.assign(r, { deletedEvents: () => deleted })
}

describe('a document deleted on the relay', () => {
  it('an online replica emits deleted, stops syncing, drops pending changes and clears its storage', async () => {
    const relay = await start()
    const storage = createMemoryStorage()
    const a = watched({ relay: relay.url, storage })
    a.doc.getText('t').insert(0, 'soon gone')
    await a.whenSynced()
    await relay.deleteDocument('doomed')
    await waitUntil(() => a.deletedEvents() === 1, 10_000, 'deleted event')
    expect(a.deleted).toBe(true)
    expect(a.status).toBe('offline')
    expect(a.pending).toBe(0)
    await a.whenSynced() // nothing left to wait for
    const stored = await storage.load('doomed')
    expect(stored.log.length + stored.pending.length).toBe(0)
    // Later edits are neither stored nor sent.
    a.doc.getText('t').insert(0, 'after;')
    a.connect()
    await new Promise((resolve) => setTimeout(resolve, 100))
    expect((await storage.load('doomed')).log).toEqual([])
    expect(await relayStorage.load('doomed')).toEqual([])
  })

  it("with onDeleted: 'keep' keeps the stored document but not its pending changes", async () => {
    const relay = await start()
    const storage = createMemoryStorage()
    const a = watched({ relay: relay.url, storage, onDeleted: 'keep' })
    a.doc.getText('t').insert(0, 'kept locally')
    await a.whenSynced()
    a.disconnect()
    a.doc.getText('t').insert(0, 'unsent;')
    await a.whenSaved()
    expect((await storage.load('doomed')).pending.length).toBe(1)
    await relay.deleteDocument('doomed')
    a.connect()
    await waitUntil(() => a.deletedEvents() === 1, 10_000, 'deleted event')
    const stored = await storage.load('doomed')
    expect(stored.pending).toEqual([])
    expect(stored.log.length).toBeGreaterThan(0)
    expect(text(a)).toBe('unsent;kept locally')
  })

  it('a replica offline during the deletion reconnects with pending edits: nothing comes back, it ends deleted', async () => {
    const relay = await start()
    const storageA = createMemoryStorage()
    const a = watched({ relay: relay.url, storage: storageA })
    const b = watched({ relay: relay.url, storage: createMemoryStorage() })
    a.doc.getText('t').insert(0, 'shared;')
    await a.whenSynced()
    await waitUntil(() => text(b) === 'shared;', 10_000, 'b has the content')
    a.disconnect()
    a.doc.getText('t').insert(0, 'offline edits;')
    await a.whenSaved()
    expect(a.pending).toBeGreaterThan(0)

    await relay.deleteDocument('doomed')
    await waitUntil(() => b.deletedEvents() === 1, 10_000, 'b hears of the deletion')
    expect(a.deletedEvents()).toBe(0)

    a.connect()
    await waitUntil(() => a.deletedEvents() === 1, 10_000, 'a hears of the deletion on reconnect')
    expect(a.pending).toBe(0)
    expect(await relayStorage.load('doomed')).toEqual([])
    expect(await relayStorage.tombstone('doomed')).not.toBeNull()
    const stored = await storageA.load('doomed')
    expect(stored.log.length + stored.pending.length).toBe(0)

    // Reopened on the same storage later (a reload): still nothing to upload, deleted again.
    await a.close()
    const again = watched({ relay: relay.url, storage: storageA })
    await waitUntil(() => again.deletedEvents() === 1, 10_000, 'the reopened replica hears of the deletion')
    expect(await relayStorage.load('doomed')).toEqual([])
  })

  it('after a restore on the relay a new replica syncs the id again, from empty', async () => {
    const relay = await start()
    const a = watched({ relay: relay.url })
    a.doc.getText('t').insert(0, 'old')
    await a.whenSynced()
    await relay.deleteDocument('doomed')
    await waitUntil(() => a.deletedEvents() === 1, 10_000, 'deleted')
    expect(await relay.restoreDocument('doomed')).toBe(true)
    const fresh = watched({ relay: relay.url })
    fresh.doc.getText('t').insert(0, 'new')
    await fresh.whenSynced()
    expect(text(fresh)).toBe('new')
    expect((await relayStorage.load('doomed')).length).toBe(1)
  })
})
