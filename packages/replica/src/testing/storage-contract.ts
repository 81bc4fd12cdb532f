import * as Y from 'yjs'
import type { StorageAdapter } from '../storage/types.js'

/** One acceptance check of the storage contract; throws on failure. */
export interface StorageContractCase {
  name: string
  run(): Promise<void>
}

/**
 * The storage adapter acceptance suite, independent of any test runner so that it runs in Node (vitest) and
 * in a real browser page alike. `open` returns a fresh adapter on an empty store; calling it twice in one case
 * must give two adapters over the same store (two tabs).
 */
export const storageContract = (open: () => Promise<StorageAdapter> | StorageAdapter): StorageContractCase[] => [
  {
    name: 'a new document loads empty',
    run: () => withAdapter(open, async (storage) => {
      const stored = await storage.load('never-written')
      equal(stored.log.length, 0, 'log length')
      equal(stored.pending.length, 0, 'pending length')
    }),
  },
  {
    name: 'writes come back on load, per document, with pending keys',
    run: () => withAdapter(open, async (storage) => {
      const keys = await storage.write('a', { log: [edit('x')], pending: [{ update: edit('x'), changes: 3 }], acked: [] })
      await storage.write('b', { log: [edit('y')], pending: [], acked: [] })
      equal(keys.length, 1, 'keys returned')
      const a = await storage.load('a')
      equal(text(a.log.map((e) => e.update)), 'x', 'text of a')
      equal(a.pending.length, 1, 'pending of a')
      equal(a.pending[0]?.key, keys[0], 'pending key')
      equal(a.pending[0]?.changes, 3, 'pending changes')
      equal(text((await storage.load('b')).log.map((e) => e.update)), 'y', 'text of b')
    }),
  },
  {
    name: 'acknowledged pending entries are deleted, others kept',
    run: () => withAdapter(open, async (storage) => {
      const keys = await storage.write('a', { log: [], pending: [1, 2, 3].map(() => ({ update: edit('p'), changes: 1 })), acked: [] })
      await storage.write('a', { log: [], pending: [], acked: [keys[0]!, keys[2]!] })
      const left = (await storage.load('a')).pending.map((e) => e.key)
      equal(JSON.stringify(left), JSON.stringify([keys[1]]), 'remaining pending keys')
    }),
  },
  {
    name: 'loadPending, where implemented, returns the same entries as load',
    run: () => withAdapter(open, async (storage) => {
      await storage.write('a', { log: [edit('x')], pending: [{ update: edit('x'), changes: 1 }], acked: [] })
      if (!storage.loadPending) return
      const [full, pending] = await Promise.all([storage.load('a'), storage.loadPending('a')])
      equal(JSON.stringify(pending.map((e) => [e.key, e.changes])), JSON.stringify(full.pending.map((e) => [e.key, e.changes])), 'pending entries')
    }),
  },
  {
    name: 'replace deletes only the named rows',
    run: () => withAdapter(open, async (storage) => {
      await storage.write('a', { log: [edit('a'), edit('b')], pending: [], acked: [] })
      const first = await storage.load('a')
      await storage.write('a', { log: [edit('c')], pending: [], acked: [] }) // arrives after the compactor read
      await storage.replace('a', first.log.map((e) => e.key), Y.mergeUpdates(first.log.map((e) => e.update)))
      const after = await storage.load('a')
      equal(after.log.length, 2, 'rows after compaction')
      equal(text(after.log.map((e) => e.update)), text([edit('a'), edit('b'), edit('c')]), 'text after compaction')
    }),
  },
  {
    name: 'two adapters compacting the same document at once lose nothing',
    run: async () => {
      const one = await open()
      const two = await open()
      try {
        const updates = Array.from({ length: 20 }, (_, i) => edit(`u${i};`))
        for (const update of updates) await one.write('race', { log: [update], pending: [], acked: [] })
        const compact = async (storage: StorageAdapter, extra: string) => {
          const stored = await storage.load('race')
          await storage.write('race', { log: [edit(extra)], pending: [], acked: [] })
          await storage.replace('race', stored.log.map((e) => e.key), Y.mergeUpdates(stored.log.map((e) => e.update)))
        }
        await Promise.all([compact(one, 'one;'), compact(two, 'two;')])
        const expected = text([...updates, edit('one;'), edit('two;')])
        equal(text((await one.load('race')).log.map((e) => e.update)), expected, 'text after racing compactions')
      } finally {
        await Promise.all([one.close(), two.close()])
      }
    },
  },
  {
    name: 'clear deletes the log and pending entries of one document only',
    run: () => withAdapter(open, async (storage) => {
      await storage.write('gone', { log: [edit('a'), edit('b')], pending: [{ update: edit('p'), changes: 2 }], acked: [] })
      await storage.write('kept', { log: [edit('k')], pending: [{ update: edit('q'), changes: 1 }], acked: [] })
      await storage.clear('gone')
      const gone = await storage.load('gone')
      equal(gone.log.length + gone.pending.length, 0, 'rows left of the cleared document')
      const kept = await storage.load('kept')
      equal(kept.log.length, 1, 'log rows of the other document')
      equal(kept.pending.length, 1, 'pending entries of the other document')
      await storage.write('gone', { log: [edit('again')], pending: [], acked: [] })
      equal(text((await storage.load('gone')).log.map((e) => e.update)), 'again', 'text written after clear')
    }),
  },
  {
    name: 'a closed adapter rejects instead of throwing synchronously',
    run: async () => {
      const storage = await open()
      await storage.close()
      let rejected = false
      await storage.load('a').catch(() => { rejected = true })
      equal(rejected, true, 'load after close rejects')
    },
  },
]

const withAdapter = async (open: () => Promise<StorageAdapter> | StorageAdapter, body: (s: StorageAdapter) => Promise<void>) => {
  const storage = await open()
  try {
    await body(storage)
  } finally {
    await storage.close()
  }
}

/** Each edit comes from its own client, so the texts of independent edits concatenate in client-id order. */
let nextClient = 1
const edit = (content: string): Uint8Array => {
  const doc = new Y.Doc()
  doc.clientID = nextClient++
  doc.getText('t').insert(0, content)
  return Y.encodeStateAsUpdate(doc)
}

const text = (updates: Uint8Array[]): string => {
  const doc = new Y.Doc()
  if (updates.length > 0) Y.applyUpdate(doc, Y.mergeUpdates(updates))
  return doc.getText('t').toString()
}

const equal = (actual: unknown, expected: unknown, what: string) => {
  if (actual !== expected) throw new Error(`${what}: expected ${String(expected)}, got ${String(actual)}`)
}
