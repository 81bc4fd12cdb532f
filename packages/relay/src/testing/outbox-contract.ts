import { afterEach, describe, expect, it } from 'vitest'
import * as Y from 'yjs'
import type { NewOutboxEntry } from '../storage/outbox-types.js'
import type { RelayStorage } from '../storage/types.js'

const makeUpdate = (text: string): Uint8Array => {
  const doc = new Y.Doc()
  doc.getText('t').insert(0, text)
  return Y.encodeStateAsUpdate(doc)
}

/** What an adapter's test gives the outbox suite, fresh for each test. */
export interface OutboxFixture {
  storage: RelayStorage
  /** For persistent adapters: another storage on the same data (the suite closes `storage` first). */
  reopen?: () => Promise<RelayStorage>
  cleanup?: () => Promise<void>
}

const T = 'http://receiver.test/hook'
const OTHER = 'http://other.test/hook'
let ids = 0
const entry = (docId: string, dueAt: number, fields: Partial<NewOutboxEntry> = {}): NewOutboxEntry =>
  ({ eventId: `event-${++ids}`, target: T, type: 'document.changed', docId, createdAt: dueAt - 100, dueAt, ...fields })

/**
 * The webhook outbox every `RelayStorage.outbox` must honour: entries commit with `append`, wait until due,
 * absorb later ones until claimed, are leased to one claimer, and come back after `retry`. Time is passed in,
 * so nothing here depends on the clock.
 */
export const runOutboxContract = (name: string, setup: () => Promise<OutboxFixture> | OutboxFixture): void => {
  describe(`${name} outbox contract`, () => {
    let fixture: OutboxFixture | undefined
    const opened: RelayStorage[] = []
    const open = async (): Promise<RelayStorage> => {
      fixture = await setup()
      opened.push(fixture.storage)
      return fixture.storage
    }
    afterEach(async () => {
      for (const storage of opened.splice(0)) await storage.close().catch(() => {})
      await fixture?.cleanup?.()
      fixture = undefined
    })

    it('commits entries with the updates of an append, and hands them out once due', async () => {
      const storage = await open()
      await storage.append([{ docId: 'a', update: makeUpdate('x') }], { outbox: [entry('a', 1000)] })
      expect(await storage.load('a')).toHaveLength(1)
      expect(await storage.outbox!.claim(999, 10, 60_000, [T])).toEqual([])
      const [claimed] = await storage.outbox!.claim(1000, 10, 60_000, [T])
      expect(claimed).toMatchObject({ target: T, type: 'document.changed', docId: 'a', createdAt: 900, dueAt: 1000, attempts: 1 })
      expect(claimed!.eventId).toMatch(/^event-/)
    })

    it('commits entries with a document delete, in the same transaction as the tombstone', async () => {
      const storage = await open()
      await storage.append([{ docId: 'a', update: makeUpdate('x') }])
      await storage.deleteDocument('a', 1000, { outbox: [entry('a', 1000, { type: 'document.deleted' })] })
      expect(await storage.tombstone('a')).toEqual({ id: 'a', deletedAt: 1000 })
      const claimed = await storage.outbox!.claim(1000, 10, 60_000, [T])
      expect(claimed.map(({ type, docId }) => ({ type, docId }))).toEqual([{ type: 'document.deleted', docId: 'a' }])
    })

    it('an entry not claimed yet absorbs later ones for the same target, type and document', async () => {
      const storage = await open()
      const first = entry('a', 1000)
      await storage.append([{ docId: 'a', update: makeUpdate('x') }], { outbox: [first] })
      await storage.append([{ docId: 'a', update: makeUpdate('y') }], {
        outbox: [entry('a', 1500), entry('a', 1500, { target: OTHER }), entry('a', 1500, { type: 'document.deleted' }), entry('b', 1500)],
      })
      const claimed = await storage.outbox!.claim(2000, 10, 60_000, [T, OTHER])
      expect(claimed.map(e => `${e.target} ${e.type} ${e.docId}`).sort()).toEqual([
        `${OTHER} document.changed a`, `${T} document.changed a`, `${T} document.changed b`, `${T} document.deleted a`,
      ])
      expect(claimed.find(e => e.target === T && e.docId === 'a' && e.type === 'document.changed')!.eventId).toBe(first.eventId)
      // Once claimed, it may have been seen: a new change needs a new event.
      await storage.append([{ docId: 'a', update: makeUpdate('z') }], { outbox: [entry('a', 2500)] })
      expect(await storage.outbox!.claim(2500, 10, 60_000, [T])).toHaveLength(1)
    })

    it('leases a claimed entry: nobody claims it again until the lease runs out', async () => {
      const storage = await open()
      await storage.outbox!.enqueue([entry('a', 1000)])
      const [first] = await storage.outbox!.claim(1000, 10, 5000, [T])
      expect(await storage.outbox!.claim(5999, 10, 5000, [T])).toEqual([])
      const [again] = await storage.outbox!.claim(6000, 10, 5000, [T])
      expect(again).toMatchObject({ id: first!.id, eventId: first!.eventId, attempts: 2 })
    })

    it('retry releases the lease and sets the next attempt; remove deletes', async () => {
      const storage = await open()
      await storage.outbox!.enqueue([entry('a', 1000), entry('b', 1000)])
      const claimed = await storage.outbox!.claim(1000, 10, 60_000, [T])
      expect(claimed).toHaveLength(2)
      const a = claimed.find(e => e.docId === 'a')!
      const b = claimed.find(e => e.docId === 'b')!
      await storage.outbox!.retry(a.id, 3000)
      await storage.outbox!.remove([b.id])
      expect(await storage.outbox!.claim(2999, 10, 60_000, [T])).toEqual([])
      expect(await storage.outbox!.claim(3000, 10, 60_000, [T])).toMatchObject([{ id: a.id, attempts: 2, dueAt: 3000 }])
    })

    it('claims oldest due first, at most `limit`, only for the given targets', async () => {
      const storage = await open()
      await storage.outbox!.enqueue([entry('late', 3000), entry('early', 1000), entry('middle', 2000), entry('elsewhere', 500, { target: OTHER })])
      expect((await storage.outbox!.claim(5000, 2, 60_000, [T])).map(e => e.docId)).toEqual(['early', 'middle'])
      expect((await storage.outbox!.claim(5000, 5, 60_000, [T])).map(e => e.docId)).toEqual(['late'])
      expect((await storage.outbox!.claim(5000, 5, 60_000, [OTHER])).map(e => e.docId)).toEqual(['elsewhere'])
    })

    it('keeps any document id a client can use', async () => {
      const storage = await open()
      const odd = ['with/slash and space', 'ünïcødé ✓', 'nul\u0000inside']
      await storage.outbox!.enqueue(odd.map(docId => entry(docId, 1000)))
      expect((await storage.outbox!.claim(1000, 10, 60_000, [T])).map(e => e.docId).sort()).toEqual([...odd].sort())
    })

    it('entries survive reopening the storage (persistent adapters)', async () => {
      const storage = await open()
      if (fixture?.reopen === undefined) return
      await storage.append([{ docId: 'a', update: makeUpdate('x') }], { outbox: [entry('a', 1000)] })
      await storage.outbox!.claim(1000, 10, 60_000, [T])
      await storage.close()
      const again = await fixture.reopen()
      opened.push(again)
      expect(await again.outbox!.claim(100_000, 10, 60_000, [T])).toMatchObject([{ docId: 'a', attempts: 2 }])
    })
  })
}
