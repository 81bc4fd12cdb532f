import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import * as Y from 'yjs'
import { CloseCode } from '@driftless/protocol'
import { startRelay, type RelayProcess } from '@driftless/testkit/support'
import { TestClient } from './helpers.js'
import { ensureBuilt, relayBin } from './process.js'

const DOCS = 5
const UPDATES_PER_DOC = 240
const KILL_AFTER_ACKS = 1000

let dataDir: string
const processes: RelayProcess[] = []

beforeAll(() => {
  ensureBuilt()
  dataDir = mkdtempSync(join(tmpdir(), 'driftless-durability-'))
}, 120_000)

afterAll(async () => {
  for (const relay of processes) await relay.kill()
  rmSync(dataDir, { recursive: true, force: true })
})

const itemsOf = (update: Uint8Array): string[] => {
  const doc = new Y.Doc()
  Y.applyUpdate(doc, update)
  return doc.getArray<string>('items').toArray()
}

describe('the driftless-relay process', () => {
  it('keeps every acknowledged update through kill -9 and a restart on the same data dir', async () => {
    const first = await startRelay({ bin: relayBin, dataDir, args: ['--log-level', 'warn'] })
    processes.push(first)
    const client = await TestClient.greeted(first.url)
    const docs = Array.from({ length: DOCS }, () => new Y.Doc())
    for (let d = 0; d < DOCS; d++) await client.subscribe(`doc-${d}`)

    // Interleave documents; every update appends one unique item.
    const sent = new Map<number, { docId: string; item: string }>()
    let ackId = 0
    for (let i = 0; i < UPDATES_PER_DOC; i++) {
      for (let d = 0; d < DOCS; d++) {
        const doc = docs[d]!
        const before = Y.encodeStateVector(doc)
        const item = `doc-${d}/item-${i}`
        doc.getArray<string>('items').push([item])
        sent.set(++ackId, { docId: `doc-${d}`, item })
        client.send({ type: 'update', docId: `doc-${d}`, update: Y.encodeStateAsUpdate(doc, before), ackId })
      }
      // Stay inside the relay's default rate limit (a burst of 1,000 messages, 1,000/s): on a fast machine
      // 1,200 updates sent at once would be refused in part.
      if ((i + 1) % 80 === 0) await new Promise(resolve => setTimeout(resolve, 500))
    }
    const acked = new Set<number>()
    await client.waitFor(m => {
      if (m.type === 'ack') acked.add(m.ackId)
      return acked.size >= KILL_AFTER_ACKS
    }, 0, 30_000)
    await first.kill()
    expect(first.lastExit?.signal).toBe('SIGKILL')
    // Acks that were already in the socket when the process died still count: they were sent.
    for (const message of client.of('ack')) acked.add(message.ackId)
    expect(acked.size).toBeGreaterThanOrEqual(KILL_AFTER_ACKS)
    expect(client.of('error')).toEqual([])

    const second = await startRelay({ bin: relayBin, dataDir, args: ['--log-level', 'warn'] })
    processes.push(second)
    const reader = await TestClient.greeted(second.url)
    const stored = new Map<string, Set<string>>()
    for (let d = 0; d < DOCS; d++) {
      const step2 = await reader.subscribe(`doc-${d}`)
      stored.set(`doc-${d}`, new Set(itemsOf(step2.update)))
    }
    const missing = [...acked].map(id => sent.get(id)!).filter(({ docId, item }) => !stored.get(docId)!.has(item))
    expect(missing).toEqual([])
    reader.close()

    // And a graceful stop exits 0 after closing clients with 1001.
    const watcher = await TestClient.greeted(second.url)
    const stopped = second.stop()
    expect(await watcher.waitClosed()).toBe(CloseCode.goingAway)
    await stopped
    expect(second.lastExit?.code).toBe(0)
  }, 90_000)
})
