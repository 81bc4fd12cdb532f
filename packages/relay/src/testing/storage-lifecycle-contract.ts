import { expect, it } from 'vitest'
import * as Y from 'yjs'
import type { RelayStorage, StoredUpdate } from '../storage/types.js'

const textUpdate = (text: string): Uint8Array => {
  const doc = new Y.Doc()
  doc.getText('t').insert(0, text)
  return Y.encodeStateAsUpdate(doc)
}

const textOf = (rows: readonly StoredUpdate[]): string => {
  const doc = new Y.Doc()
  for (const row of rows) Y.applyUpdate(doc, row.update)
  return doc.getText('t').toString()
}

/**
 * The lifecycle part of the storage contract: listing in one stable order (UTF-8 bytes of the ids), paging,
 * prefixes, deletion that really removes rows and leaves a tombstone no later write gets past, and restore.
 */
export const runLifecycleContract = (open: () => Promise<RelayStorage>): void => {
  it('lists documents by the UTF-8 bytes of their ids, with their size and last commit time', async () => {
    const storage = await open()
    const before = Date.now()
    const ids = ['b', 'a/2', 'a/10', 'a b', 'é', 'z', '日本', '\u{1F600}']
    for (const id of ids) await storage.append([{ docId: id, update: textUpdate(id) }])
    await storage.append([{ docId: 'z', update: textUpdate('more') }])
    const listed = await storage.listDocuments({ limit: 100 })
    const utf8Order = [...ids].sort((x, y) => Buffer.compare(Buffer.from(x), Buffer.from(y)))
    expect(listed.map(doc => doc.id)).toEqual(utf8Order)
    const z = listed.find(doc => doc.id === 'z')!
    const zRows = await storage.load('z')
    expect(z.bytes).toBe(zRows.reduce((sum, row) => sum + row.update.length, 0))
    expect(z.updatedAt).toBeGreaterThanOrEqual(before - 1000)
    expect(z.updatedAt).toBeLessThanOrEqual(Date.now() + 1000)
  })

  it('pages with `after` and `limit` without skipping or repeating, and filters by prefix', async () => {
    const storage = await open()
    const ids = Array.from({ length: 25 }, (_, i) => `team-${String(i).padStart(2, '0')}`)
    await storage.append([...ids, 'other', 'team', 'teal'].map(docId => ({ docId, update: textUpdate(docId) })))
    const seen: string[] = []
    let after: string | undefined
    for (;;) {
      const page = await storage.listDocuments({ prefix: 'team-', after, limit: 7 })
      seen.push(...page.map(doc => doc.id))
      if (page.length < 7) break
      after = page.at(-1)!.id
    }
    expect(seen).toEqual(ids)
    expect((await storage.listDocuments({ prefix: 'team', limit: 100 })).map(doc => doc.id)).toEqual(['team', ...ids])
    expect(await storage.listDocuments({ prefix: 'nothing', limit: 10 })).toEqual([])
  })

  it('delete removes every row of the document and only of it, and leaves a tombstone', async () => {
    const storage = await open()
    await storage.append([{ docId: 'doomed', update: textUpdate('a') }, { docId: 'kept', update: textUpdate('k') }])
    await storage.append([{ docId: 'doomed', update: textUpdate('b') }])
    expect(await storage.tombstone('doomed')).toBeNull()
    await storage.deleteDocument('doomed', 1_700_000_000_000)
    expect(await storage.load('doomed')).toEqual([])
    expect(await storage.tombstone('doomed')).toEqual({ id: 'doomed', deletedAt: 1_700_000_000_000 })
    expect(textOf(await storage.load('kept'))).toBe('k')
    expect((await storage.listDocuments({ limit: 10 })).map(doc => doc.id)).toEqual(['kept'])
    expect(await storage.listTombstones({ limit: 10 })).toEqual([{ id: 'doomed', deletedAt: 1_700_000_000_000 }])
  })

  it('stores nothing for a tombstoned document: appends (alone or in a batch) and compactions', async () => {
    const storage = await open()
    await storage.append([{ docId: 'doomed', update: textUpdate('a') }])
    const rows = await storage.load('doomed')
    await storage.deleteDocument('doomed', 1)
    await storage.append([{ docId: 'doomed', update: textUpdate('late') }, { docId: 'alive', update: textUpdate('x') }])
    await storage.replace('doomed', rows.map(row => row.id), rows[0]!.update)
    expect(await storage.load('doomed')).toEqual([])
    expect(textOf(await storage.load('alive'))).toBe('x')
  })

  it('deleting again keeps the first deletion time; deleting a never-written id tombstones it', async () => {
    const storage = await open()
    await storage.deleteDocument('twice', 10)
    await storage.deleteDocument('twice', 20)
    expect(await storage.tombstone('twice')).toEqual({ id: 'twice', deletedAt: 10 })
    await storage.append([{ docId: 'twice', update: textUpdate('no') }])
    expect(await storage.load('twice')).toEqual([])
  })

  it('restore removes the tombstone; the document starts empty and takes writes again', async () => {
    const storage = await open()
    await storage.append([{ docId: 'back', update: textUpdate('old') }])
    await storage.deleteDocument('back', 5)
    expect(await storage.restoreDocument('back')).toBe(true)
    expect(await storage.restoreDocument('back')).toBe(false)
    expect(await storage.tombstone('back')).toBeNull()
    expect(await storage.load('back')).toEqual([])
    await storage.append([{ docId: 'back', update: textUpdate('new') }])
    expect(textOf(await storage.load('back'))).toBe('new')
  })

  it('lists tombstones by prefix and page, like documents', async () => {
    const storage = await open()
    for (const id of ['t/3', 't/1', 'u', 't/2']) await storage.deleteDocument(id, 1)
    const first = await storage.listTombstones({ prefix: 't/', limit: 2 })
    const second = await storage.listTombstones({ prefix: 't/', after: first.at(-1)!.id, limit: 2 })
    expect([...first, ...second].map(t => t.id)).toEqual(['t/1', 't/2', 't/3'])
  })
}
