import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { WebSocket } from 'ws'
import * as Y from 'yjs'
import { CloseCode } from '@driftless/protocol'
import { waitUntil } from '@driftless/testkit/support'
import { createSqliteStorage } from '../src/index.js'
import { makeUpdate, startRelay, TestClient } from './helpers.js'

const activeTimers = (): number => process.getActiveResourcesInfo().filter(kind => kind === 'Timeout').length

describe('lifecycle', () => {
  it('leaks no document, connection, timer or listener after 2,000 connect/disconnect cycles', async () => {
    const relay = await startRelay({ documentIdleMs: 20, heartbeatTimeoutMs: 60_000 })
    try {
      const cycle = async (i: number): Promise<void> => {
        if (i % 10 === 9) {
          // Every tenth cycle is a y-websocket client.
          const ws = new WebSocket(`${relay.url}/doc-${i % 37}`)
          await new Promise<void>((resolve, reject) => {
            ws.once('message', () => resolve())
            ws.once('error', reject)
          })
          ws.close()
          await new Promise(resolve => ws.once('close', resolve))
          return
        }
        const client = await TestClient.greeted(relay.url)
        await client.subscribe(`doc-${i % 37}`)
        client.send({ type: 'update', docId: `doc-${i % 37}`, update: makeUpdate(`${i}`), ackId: 1 })
        client.send({ type: 'awareness', docId: `doc-${i % 37}`, update: Uint8Array.of(1, (i % 100) + 1, 1, 2, 0x7b, 0x7d) })
        await client.waitFor(m => m.type === 'ack')
        client.close()
        await client.closed
      }
      await cycle(0)
      await waitUntil(() => relay.stats().openDocuments === 0, 5000, 'warm-up eviction')
      const timersBefore = activeTimers()
      const listenersBefore = process.listenerCount('uncaughtException') + process.listenerCount('unhandledRejection')

      const CYCLES = 2000
      const PARALLEL = 20
      for (let i = 1; i < CYCLES; i += PARALLEL) {
        await Promise.all(Array.from({ length: Math.min(PARALLEL, CYCLES - i) }, (_, k) => cycle(i + k)))
      }
      await waitUntil(() => {
        const stats = relay.stats()
        return stats.connections === 0 && stats.openDocuments === 0 && stats.pendingCommits === 0
      }, 10_000, 'everything released')
      expect(relay.stats()).toEqual({ connections: 0, openDocuments: 0, idleDocuments: 0, pendingCommits: 0, trackedLogs: 0 })
      expect(activeTimers()).toBeLessThanOrEqual(timersBefore)
      expect(process.listenerCount('uncaughtException') + process.listenerCount('unhandledRejection')).toBe(listenersBefore)
      const metrics = await relay.metrics.metrics()
      expect(metrics).toMatch(/driftless_open_documents 0/)
      expect(metrics).toMatch(/driftless_connections\{kind="driftless"\} 0/)
    } finally {
      await relay.close()
    }
  }, 120_000)

  it('graceful shutdown commits every accepted update, acks it, then closes clients with 1001', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'driftless-shutdown-'))
    const path = join(dir, 'relay.db')
    try {
      const relay = await startRelay({ storage: { kind: 'sqlite', path } })
      const writer = await TestClient.greeted(relay.url)
      const watcher = await TestClient.greeted(relay.url)
      await writer.subscribe('d')
      await watcher.subscribe('d')
      const doc = new Y.Doc()
      for (let i = 1; i <= 300; i++) {
        const before = Y.encodeStateVector(doc)
        doc.getArray<number>('n').push([i])
        writer.send({ type: 'update', docId: 'd', update: Y.encodeStateAsUpdate(doc, before), ackId: i })
      }
      await watcher.waitFor(m => m.type === 'update')
      const closing = relay.close()
      expect(await writer.waitClosed()).toBe(CloseCode.goingAway)
      expect(await watcher.waitClosed()).toBe(CloseCode.goingAway)
      await closing

      // Every update the relay accepted (forwarded to the watcher, merged per turn) was acked, and every ack is stored.
      const seen = new Y.Doc()
      for (const message of watcher.of('update')) Y.applyUpdate(seen, message.update)
      const forwarded = seen.getArray<number>('n').toArray()
      const acked = writer.of('ack').map(ack => ack.ackId)
      expect(forwarded.length).toBeGreaterThan(0)
      for (const item of forwarded) expect(acked).toContain(item)
      const storage = createSqliteStorage({ path })
      const stored = new Y.Doc()
      for (const row of await storage.load('d')) Y.applyUpdate(stored, row.update)
      await storage.close()
      const items = stored.getArray<number>('n').toArray()
      for (const ackId of acked) expect(items).toContain(ackId)
    } finally {
      rmSync(dir, { recursive: true, force: true })
    }
  })

  it('serves /healthz and /metrics', async () => {
    const relay = await startRelay()
    try {
      const http = relay.url.replace('ws://', 'http://')
      const health = await fetch(`${http}/healthz`)
      expect(health.status).toBe(200)
      expect(await health.json()).toEqual({ ok: true })
      const client = await TestClient.greeted(relay.url)
      await client.subscribe('d')
      client.send({ type: 'update', docId: 'd', update: new Uint8Array([9, 9, 9]), ackId: 1 })
      client.send({ type: 'update', docId: 'd', update: makeUpdate('ok'), ackId: 2 })
      await client.waitFor(m => m.type === 'ack')
      const text = await (await fetch(`${http}/metrics`)).text()
      for (const name of [
        'driftless_connections', 'driftless_open_documents', 'driftless_messages_in_total', 'driftless_messages_out_total',
        'driftless_bytes_in_total', 'driftless_bytes_out_total', 'driftless_commit_duration_seconds_bucket', 'driftless_rejections_total',
      ]) expect(text).toContain(name)
      expect(text).toMatch(/driftless_rejections_total\{code="invalidUpdate"\} 1/)
      expect(text).toMatch(/driftless_open_documents 1/)
      expect((await fetch(`${http}/nope`)).status).toBe(404)
      client.close()
    } finally {
      await relay.close()
    }
  })
})
