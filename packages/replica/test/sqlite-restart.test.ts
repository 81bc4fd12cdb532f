import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { createRelay, type Relay } from '@driftless/relay'
import { afterAll, describe, expect, it } from 'vitest'
import { WebSocket } from 'ws'
import { openReplica, type ReplicaOptions } from '../src/index.js'
import { createSqliteStorage } from '../src/storage/sqlite.js'
import { freePort, waitUntil } from '@driftless/testkit/support'

const dir = mkdtempSync(join(tmpdir(), 'driftless-node-replica-'))
const relays: Relay[] = []
afterAll(async () => {
  for (const relay of relays) await relay.close()
  rmSync(dir, { recursive: true, force: true })
})

const ws = WebSocket as unknown as NonNullable<ReplicaOptions['WebSocket']>

describe('a Node replica on SQLite storage', () => {
  it('keeps changes made while the relay is down through its own restart, and syncs them once the relay is up', async () => {
    const port = await freePort()
    const relayUrl = `ws://127.0.0.1:${port}`
    const path = join(dir, 'worker', 'replica.db')
    const options = { docId: 'orders', relay: relayUrl, WebSocket: ws, crossTab: false, backoff: { baseMs: 50, capMs: 200 } }

    const storage = createSqliteStorage({ path })
    const first = openReplica({ ...options, storage })
    await first.loaded
    first.doc.getText('t').insert(0, 'written offline')
    first.doc.getMap('m').set('status', 'paid')
    await first.whenSaved()
    expect(first.pending).toBeGreaterThan(0)
    const pendingBefore = first.pending
    await first.close()
    await storage.close()

    // The process restarts: a new adapter on the same file.
    const reopened = createSqliteStorage({ path })
    const second = openReplica({ ...options, storage: reopened })
    await second.loaded
    expect(second.doc.getText('t').toString()).toBe('written offline')
    expect(second.pending).toBe(pendingBefore)
    expect(second.status).not.toBe('synced')

    const relay = await createRelay({ port, host: '127.0.0.1', storage: { kind: 'sqlite', path: join(dir, 'relay.db') }, logLevel: 'silent' })
    relays.push(relay)
    await second.whenSynced()
    await waitUntil(() => second.pending === 0, 10_000, 'pending cleared')

    // Another replica reads it from the relay.
    const reader = openReplica({ ...options, storage: 'memory' })
    await reader.whenSynced()
    await waitUntil(() => reader.doc.getText('t').toString() === 'written offline', 10_000, 'the reader sees the change')
    expect(reader.doc.getMap('m').get('status')).toBe('paid')
    await reader.close()
    await second.close()
    await reopened.close()

    // The acknowledgement was stored too: nothing is pending after another restart.
    const third = createSqliteStorage({ path })
    expect((await third.load('orders')).pending).toEqual([])
    await third.close()
  })
})
