import { expect, it } from 'vitest'
import * as Y from 'yjs'
import type { NewVersion } from '../storage/versions.js'
import type { RelayStorage } from '../storage/types.js'

const update = (text: string): Uint8Array => {
  const doc = new Y.Doc()
  doc.getText('t').insert(0, text)
  return Y.encodeStateAsUpdate(doc)
}

const version = (docId: string, overrides: Partial<NewVersion> = {}): NewVersion => ({
  docId, kind: 'named', name: 'v', createdAt: 1_700_000_000_000, createdBy: 'alice', update: update('state'),
  keepAutomatic: 50, ...overrides,
})

/** The version-history part of the storage contract (`RelayStorage.versions` and authors recorded by `append`). */
export const versionContract = ({ open, reopen }: {
  open: () => Promise<RelayStorage>
  reopen: ((storage: RelayStorage) => Promise<RelayStorage>) | undefined
}): void => {
  it('versions: none for a document never versioned; an unknown id is undefined', async () => {
    const storage = await open()
    expect(await storage.versions.list('doc')).toEqual([])
    expect(await storage.versions.get('doc', 1)).toBeUndefined()
    expect(await storage.versions.get('doc', 987654321)).toBeUndefined()
  })

  it('versions: stores the state and metadata, lists newest first', async () => {
    const storage = await open()
    const state = update('hello')
    const first = await storage.versions.create(version('doc', { name: 'first', update: state }))
    const second = await storage.versions.create(version('doc', { kind: 'automatic', name: null, createdBy: 'relay' }))
    expect(first).toMatchObject({ docId: 'doc', kind: 'named', name: 'first', createdBy: 'alice', bytes: state.length, authors: [] })
    expect(second.id).toBeGreaterThan(first.id)
    expect((await storage.versions.list('doc')).map(info => info.id)).toEqual([second.id, first.id])
    const loaded = await storage.versions.get('doc', first.id)
    expect(loaded?.info).toEqual(first)
    expect([...loaded!.update]).toEqual([...state])
  })

  it('versions: lists the authors of writes since the previous version, once', async () => {
    const storage = await open()
    await storage.append([
      { docId: 'doc', update: update('a'), author: 'bob' },
      { docId: 'doc', update: update('b'), author: 'alice' },
      { docId: 'doc', update: update('c'), author: 'bob' },
      { docId: 'other', update: update('d'), author: 'carol' },
      { docId: 'doc', update: update('e') },
    ])
    expect((await storage.versions.create(version('doc'))).authors).toEqual(['alice', 'bob'])
    await storage.append([{ docId: 'doc', update: update('f'), author: 'anonymous' }])
    const next = await storage.versions.create(version('doc'))
    expect(next.authors).toEqual(['anonymous'])
    expect((await storage.versions.get('doc', next.id))?.info.authors).toEqual(['anonymous'])
    expect((await storage.versions.create(version('doc'))).authors).toEqual([])
    expect((await storage.versions.create(version('other'))).authors).toEqual(['carol'])
  })

  it('versions: deleting a document deletes its versions and recorded authors, and only its own', async () => {
    const storage = await open()
    await storage.append([{ docId: 'doomed', update: update('a'), author: 'bob' }, { docId: 'kept', update: update('k'), author: 'kim' }])
    await storage.versions.create(version('doomed'))
    await storage.append([{ docId: 'doomed', update: update('b'), author: 'carol' }])
    const kept = await storage.versions.create(version('kept'))
    await storage.deleteDocument('doomed', 1)
    expect(await storage.versions.list('doomed')).toEqual([])
    expect((await storage.versions.list('kept')).map(info => info.id)).toEqual([kept.id])
    // Restored, the id starts empty: a first version lists no author from before the deletion.
    await storage.restoreDocument('doomed')
    await storage.append([{ docId: 'doomed', update: update('c'), author: 'dave' }])
    expect((await storage.versions.create(version('doomed'))).authors).toEqual(['dave'])
  })

  it('versions: a version belongs to its document only', async () => {
    const storage = await open()
    const mine = await storage.versions.create(version('mine'))
    expect(await storage.versions.get('theirs', mine.id)).toBeUndefined()
    expect(await storage.versions.list('theirs')).toEqual([])
  })

  it('versions: retention deletes the oldest non-named versions beyond the limit, never named ones', async () => {
    const storage = await open()
    const created = []
    for (const kind of ['named', 'automatic', 'beforeRestore', 'automatic', 'named', 'automatic'] as const) {
      created.push(await storage.versions.create(version('doc', { kind, keepAutomatic: 2 })))
    }
    const kept = (await storage.versions.list('doc')).map(info => info.id)
    expect(kept).toEqual([created[5]!.id, created[4]!.id, created[3]!.id, created[0]!.id])
    expect(await storage.versions.get('doc', created[1]!.id)).toBeUndefined()
    expect(await storage.versions.get('doc', created[2]!.id)).toBeUndefined()
  })

  it('versions: taken while other writes commit, every one is stored and no author is lost', async () => {
    const storage = await open()
    const writes = Array.from({ length: 60 }, (_, i) => storage.append([{ docId: 'doc', update: update(`w${i}`), author: `author${i % 6}` }]))
    const taken = Array.from({ length: 10 }, () => storage.versions.create(version('doc', { kind: 'automatic', name: null })))
    const [, versions] = await Promise.all([Promise.all(writes), Promise.all(taken)])
    const last = await storage.versions.create(version('doc'))
    expect((await storage.versions.list('doc')).length).toBe(11)
    // Each author is listed by the version that followed its first write after the previous one; together, all six.
    const listed = [...versions, last].flatMap(info => info.authors)
    expect(new Set(listed)).toEqual(new Set(Array.from({ length: 6 }, (_, i) => `author${i}`)))
  })

  if (reopen === undefined) return

  it('versions: survive close and reopen, with authors not yet taken', async () => {
    let storage = await open()
    const stored = await storage.versions.create(version('doc', { update: update('kept') }))
    await storage.append([{ docId: 'doc', update: update('x'), author: 'dave' }])
    storage = await reopen(storage)
    expect(await storage.versions.list('doc')).toEqual([stored])
    expect((await storage.versions.create(version('doc'))).authors).toEqual(['dave'])
  })
}
