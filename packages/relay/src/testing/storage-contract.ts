import { afterEach, describe, expect, it } from 'vitest'
import * as Y from 'yjs'
import { StorageError } from '../adapter-errors.js'
import type { RelayStorage, StoredUpdate } from '../storage/types.js'
import { runLifecycleContract } from './storage-lifecycle-contract.js'

/** What an adapter's test gives the contract suite, fresh for each test. */
export interface StorageFixture {
  /** An empty storage. */
  storage: RelayStorage
  /**
   * For persistent adapters (required with `{ persistent: true }`): opens another storage on the same data
   * (the suite closes `storage` first).
   */
  reopen?: () => Promise<RelayStorage>
  /** Removes what the fixture created (files, tables); called after every storage was closed. */
  cleanup?: () => Promise<void>
}

const textUpdate = (doc: Y.Doc, text: string): Uint8Array => {
  const before = Y.encodeStateVector(doc)
  doc.getText('t').insert(doc.getText('t').length, text)
  return Y.encodeStateAsUpdate(doc, before)
}

const textOf = (rows: readonly StoredUpdate[]): string => {
  const doc = new Y.Doc()
  for (const row of rows) Y.applyUpdate(doc, row.update)
  return doc.getText('t').toString()
}

const bytesOf = (rows: readonly StoredUpdate[]): number[][] => rows.map(row => [...row.update])

/** Options of {@link runStorageContract}. */
export interface StorageContractOptions {
  /** The adapter keeps data across close and reopen: runs the reopening tests (needs `reopen`). @default false */
  persistent?: boolean
}

/**
 * Registers (with vitest's `describe`/`it`) the acceptance suite every `RelayStorage` must pass: ordering,
 * document isolation, copies, compaction (`replace`) semantics under races, large and many documents, the
 * error convention (`StorageError` with code `closed` after close) and, for persistent adapters, reopening.
 * It only uses the `RelayStorage` interface; `setup` runs once per test.
 *
 * @example
 * runStorageContract('sqlite', () => ({ storage: createSqliteStorage({ path }), reopen: async () => createSqliteStorage({ path }) }), { persistent: true })
 */
export const runStorageContract = (
  name: string,
  setup: () => Promise<StorageFixture> | StorageFixture,
  { persistent = false }: StorageContractOptions = {},
): void => {
  describe(`${name} storage contract`, () => {
    let fixture: StorageFixture | undefined
    const opened: RelayStorage[] = []
    const open = async (): Promise<RelayStorage> => {
      fixture = await setup()
      opened.push(fixture.storage)
      return fixture.storage
    }
    const reopen = async (storage: RelayStorage): Promise<RelayStorage> => {
      await storage.close()
      const again = await fixture!.reopen!()
      opened.push(again)
      return again
    }
    afterEach(async () => {
      for (const storage of opened.splice(0)) await storage.close().catch(() => {})
      await fixture?.cleanup?.()
      fixture = undefined
    })

    it('loads [] for a document never written', async () => {
      const storage = await open()
      expect(await storage.load('never')).toEqual([])
    })

    it('loads updates in append order with increasing ids, across batches', async () => {
      const storage = await open()
      const doc = new Y.Doc()
      const updates = ['a', 'b', 'c', 'd', 'e'].map(text => textUpdate(doc, text))
      await storage.append([{ docId: 'doc', update: updates[0]! }, { docId: 'doc', update: updates[1]! }])
      await storage.append([{ docId: 'doc', update: updates[2]! }])
      await storage.append([{ docId: 'doc', update: updates[3]! }, { docId: 'doc', update: updates[4]! }])
      const rows = await storage.load('doc')
      expect(bytesOf(rows)).toEqual(updates.map(u => [...u]))
      for (let i = 1; i < rows.length; i++) expect(rows[i]!.id).toBeGreaterThan(rows[i - 1]!.id)
      expect(textOf(rows)).toBe('abcde')
    })

    it('keeps documents apart, including in one batch', async () => {
      const storage = await open()
      const one = new Y.Doc()
      const two = new Y.Doc()
      await storage.append([
        { docId: 'one', update: textUpdate(one, 'x') },
        { docId: 'two', update: textUpdate(two, 'y') },
        { docId: 'one', update: textUpdate(one, 'z') },
      ])
      expect(textOf(await storage.load('one'))).toBe('xz')
      expect(textOf(await storage.load('two'))).toBe('y')
      expect(await storage.load('three')).toEqual([])
    })

    it('stores a copy: changing the caller\'s buffer afterwards changes nothing', async () => {
      const storage = await open()
      const update = textUpdate(new Y.Doc(), 'copy')
      const expected = [...update]
      await storage.append([{ docId: 'doc', update }])
      update.fill(0)
      expect(bytesOf(await storage.load('doc'))).toEqual([expected])
    })

    it('accepts an empty batch', async () => {
      const storage = await open()
      await storage.append([])
      expect(await storage.load('doc')).toEqual([])
    })

    it('round-trips a large update (8 MiB)', async () => {
      const storage = await open()
      const doc = new Y.Doc()
      const big = new Uint8Array(8 * 1024 * 1024)
      for (let i = 0; i < big.length; i += 4096) big[i] = i % 251
      doc.getMap('m').set('blob', big)
      const update = Y.encodeStateAsUpdate(doc)
      await storage.append([{ docId: 'big', update }])
      const rows = await storage.load('big')
      expect(rows).toHaveLength(1)
      expect(Buffer.from(rows[0]!.update).equals(Buffer.from(update))).toBe(true)
    })

    it('holds many documents', async () => {
      const storage = await open()
      const writes = Array.from({ length: 300 }, (_, i) => ({ docId: `doc-${i}`, update: textUpdate(new Y.Doc(), `v${i}`) }))
      await storage.append(writes)
      for (const i of [0, 1, 150, 299]) expect(textOf(await storage.load(`doc-${i}`))).toBe(`v${i}`)
    })

    it('replace swaps exactly the named rows for the merged update', async () => {
      const storage = await open()
      const doc = new Y.Doc()
      for (const text of ['a', 'b', 'c']) await storage.append([{ docId: 'doc', update: textUpdate(doc, text) }])
      await storage.append([{ docId: 'other', update: textUpdate(new Y.Doc(), 'o') }])
      const rows = await storage.load('doc')
      const merged = Y.mergeUpdates(rows.map(row => row.update))
      await storage.replace('doc', rows.map(row => row.id), merged)
      const after = await storage.load('doc')
      expect(after).toHaveLength(1)
      expect(bytesOf(after)).toEqual([[...merged]])
      expect(textOf(after)).toBe('abc')
      expect(textOf(await storage.load('other'))).toBe('o')
    })

    it('replace keeps rows appended after the load that chose the ids', async () => {
      const storage = await open()
      const doc = new Y.Doc()
      await storage.append([{ docId: 'doc', update: textUpdate(doc, 'a') }, { docId: 'doc', update: textUpdate(doc, 'b') }])
      const rows = await storage.load('doc')
      await storage.append([{ docId: 'doc', update: textUpdate(doc, 'c') }])
      await storage.replace('doc', rows.map(row => row.id), Y.mergeUpdates(rows.map(row => row.update)))
      const after = await storage.load('doc')
      expect(after).toHaveLength(2)
      expect(textOf(after)).toBe('abc')
    })

    it('replace ignores ids that belong to another document', async () => {
      const storage = await open()
      await storage.append([{ docId: 'a', update: textUpdate(new Y.Doc(), 'a') }])
      await storage.append([{ docId: 'b', update: textUpdate(new Y.Doc(), 'b') }])
      const rowsB = await storage.load('b')
      const rowsA = await storage.load('a')
      await storage.replace('a', [...rowsA, ...rowsB].map(row => row.id), rowsA[0]!.update)
      expect(textOf(await storage.load('b'))).toBe('b')
      expect(textOf(await storage.load('a'))).toBe('a')
    })

    it('racing replaces (same load, interleaved appends) lose nothing', async () => {
      const storage = await open()
      const doc = new Y.Doc()
      await storage.append(['a', 'b', 'c'].map(text => ({ docId: 'doc', update: textUpdate(doc, text) })))
      const first = await storage.load('doc')
      await storage.append([{ docId: 'doc', update: textUpdate(doc, 'd') }])
      const second = await storage.load('doc')
      await storage.append([{ docId: 'doc', update: textUpdate(doc, 'e') }])
      await Promise.all([
        storage.replace('doc', first.map(row => row.id), Y.mergeUpdates(first.map(row => row.update))),
        storage.replace('doc', second.map(row => row.id), Y.mergeUpdates(second.map(row => row.update))),
      ])
      const after = await storage.load('doc')
      expect(textOf(after)).toBe('abcde')
      // A later compaction of whatever is there converges to one row with everything.
      await storage.replace('doc', after.map(row => row.id), Y.mergeUpdates(after.map(row => row.update)))
      const final = await storage.load('doc')
      expect(final).toHaveLength(1)
      expect(textOf(final)).toBe('abcde')
    })

    it('gives rows appended after a replace ids above every earlier one', async () => {
      const storage = await open()
      const doc = new Y.Doc()
      await storage.append([{ docId: 'doc', update: textUpdate(doc, 'a') }, { docId: 'doc', update: textUpdate(doc, 'b') }])
      const rows = await storage.load('doc')
      await storage.replace('doc', rows.map(row => row.id), Y.mergeUpdates(rows.map(row => row.update)))
      await storage.append([{ docId: 'doc', update: textUpdate(doc, 'c') }])
      const after = await storage.load('doc')
      const maxBefore = Math.max(...rows.map(row => row.id))
      expect(after.at(-1)!.id).toBeGreaterThan(maxBefore)
      expect(textOf(after)).toBe('abc')
    })

    it('rejects every operation after close with a StorageError coded closed', async () => {
      const storage = await open()
      await storage.append([{ docId: 'doc', update: textUpdate(new Y.Doc(), 'x') }])
      await storage.close()
      const refusals = [
        storage.load('doc'),
        storage.append([{ docId: 'doc', update: textUpdate(new Y.Doc(), 'y') }]),
        storage.replace('doc', [1], textUpdate(new Y.Doc(), 'z')),
      ]
      for (const refusal of refusals) {
        const error: unknown = await refusal.then(() => undefined, (e: unknown) => e)
        expect(error).toBeInstanceOf(StorageError)
        expect((error as StorageError).code).toBe('closed')
      }
    })

    runLifecycleContract(open)

    if (!persistent) return

    it('keeps tombstones across close and reopen', async () => {
      let storage = await open()
      await storage.append([{ docId: 'gone', update: textUpdate(new Y.Doc(), 'x') }])
      await storage.deleteDocument('gone', 1234)
      storage = await reopen(storage)
      expect(await storage.tombstone('gone')).toEqual({ id: 'gone', deletedAt: 1234 })
      expect(await storage.load('gone')).toEqual([])
      await storage.append([{ docId: 'gone', update: textUpdate(new Y.Doc(), 'y') }])
      expect(await storage.load('gone')).toEqual([])
    })

    it('persists across close and reopen', async () => {
      let storage = await open()
      const doc = new Y.Doc()
      await storage.append([{ docId: 'doc', update: textUpdate(doc, 'kept') }])
      const rows = await storage.load('doc')
      await storage.replace('doc', rows.map(row => row.id), rows[0]!.update)
      await storage.append([{ docId: 'doc', update: textUpdate(doc, '!') }, { docId: 'empty-not', update: textUpdate(new Y.Doc(), 'e') }])
      storage = await reopen(storage)
      expect(textOf(await storage.load('doc'))).toBe('kept!')
      expect(textOf(await storage.load('empty-not'))).toBe('e')
      expect(await storage.load('never')).toEqual([])
    })

    it('finishes an append started before close', async () => {
      let storage = await open()
      const appended = storage.append([{ docId: 'doc', update: textUpdate(new Y.Doc(), 'late') }])
      const closed = storage.close()
      await appended
      await closed
      storage = await fixture!.reopen!()
      opened.push(storage)
      expect(textOf(await storage.load('doc'))).toBe('late')
    })
  })
}
