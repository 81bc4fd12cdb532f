import pg from 'pg'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import * as Y from 'yjs'
import { StorageError } from '../src/adapter-errors.js'
import { createPostgresStorage } from '../src/storage/postgres.js'
import type { RelayStorage } from '../src/storage/types.js'
import { startPostgres, type PostgresServer } from './services/postgres-server.js'

let server: PostgresServer
let admin: pg.Client
let tableCount = 0
const open: RelayStorage[] = []

beforeAll(async () => {
  server = await startPostgres()
  admin = new pg.Client({ connectionString: server.url })
  await admin.connect()
})
afterAll(async () => {
  await Promise.all(open.map((s) => s.close().catch(() => {})))
  await admin?.end()
  await server?.destroy()
})

/** A storage on a table of its own, so tests do not see each other's rows. */
function newStorage(extra: { poolSize?: number; table?: string; timeoutMs?: number } = {}): RelayStorage {
  const storage = createPostgresStorage({ url: server.url, table: `t${++tableCount}`, ...extra })
  open.push(storage)
  return storage
}

/** A Yjs update inserting `text` at the start of the document's `text` field. */
function edit(text: string): Uint8Array {
  const doc = new Y.Doc()
  doc.getText('text').insert(0, text)
  return Y.encodeStateAsUpdate(doc)
}

function textOf(updates: readonly { update: Uint8Array }[]): string {
  const doc = new Y.Doc()
  for (const { update } of updates) Y.applyUpdate(doc, update)
  return [...doc.getText('text').toString()].sort().join('')
}

describe('postgres storage', () => {
  it('creates its table and the (doc_id, id) index on first use', async () => {
    const storage = newStorage({ table: 'schema_check' })
    expect(await storage.load('a')).toEqual([])
    const indexes = await admin.query<{ indexdef: string }>(
      `SELECT indexdef FROM pg_indexes WHERE tablename = 'schema_check'`,
    )
    expect(indexes.rows.map((r) => r.indexdef)).toContainEqual(expect.stringContaining('(doc_id, id)'))
    const idType = await admin.query<{ data_type: string; column_default: string }>(
      `SELECT data_type, column_default FROM information_schema.columns WHERE table_name = 'schema_check' AND column_name = 'id'`,
    )
    expect(idType.rows[0]).toMatchObject({ data_type: 'bigint', column_default: expect.stringContaining('nextval') })
  })

  it('nodes starting together both create the schema without failing', async () => {
    const a = newStorage({ table: 'shared_start' })
    const b = newStorage({ table: 'shared_start' })
    await Promise.all([a.append([{ docId: 'd', update: edit('a') }]), b.append([{ docId: 'd', update: edit('b') }])])
    expect(textOf(await a.load('d'))).toBe('ab')
  })

  it('appends per document in order and loads them back as Uint8Array', async () => {
    const storage = newStorage()
    const [u1, u2, u3] = [edit('x'), edit('y'), edit('z')]
    await storage.append([{ docId: 'one', update: u1 }, { docId: 'two', update: u2 }, { docId: 'one', update: u3 }])
    const one = await storage.load('one')
    expect(one.map((r) => r.update)).toEqual([u1, u3])
    expect(one[0]?.update).toBeInstanceOf(Uint8Array)
    expect(one[0]!.id).toBeLessThan(one[1]!.id)
    expect((await storage.load('two')).map((r) => r.update)).toEqual([u2])
  })

  it('append resolves only once committed: another connection sees the rows at once', async () => {
    const storage = newStorage({ table: 'visible' })
    await storage.append([{ docId: 'd', update: edit('a') }, { docId: 'd', update: edit('b') }])
    const seen = await admin.query<{ n: string }>(`SELECT count(*) AS n FROM visible WHERE doc_id = 'd'`)
    expect(seen.rows[0]?.n).toBe('2')
  })

  it('append commits all writes or none', async () => {
    const table = `atomic${++tableCount}`
    const storage = newStorage({ table })
    await storage.append([{ docId: 'd', update: edit('a') }])
    // A constraint refusing one document makes the second row fail inside the transaction.
    await admin.query(`ALTER TABLE ${table} ADD CONSTRAINT refuse_bad CHECK (doc_id <> convert_to('bad', 'UTF8'))`)
    const failing = storage.append([{ docId: 'd', update: edit('b') }, { docId: 'bad', update: edit('c') }])
    await expect(failing).rejects.toBeInstanceOf(StorageError)
    await expect(failing).rejects.toMatchObject({ code: 'operationFailed' })
    expect(textOf(await storage.load('d'))).toBe('a')
  })

  it('stores any UTF-8 document id, NUL included, without failing the batch it shares', async () => {
    const storage = newStorage()
    const ids = ['\u0000driftless-health-probe', 'emoji 🧭 ü', 'x'.repeat(512)]
    await storage.append(ids.map((docId, i) => ({ docId, update: edit(String(i)) })))
    for (const [i, docId] of ids.entries()) expect(textOf(await storage.load(docId))).toBe(String(i))
    expect(await storage.load('\u0000')).toEqual([])
  })

  it('replace deletes exactly the named rows and keeps one appended after the load', async () => {
    const storage = newStorage()
    await storage.append([{ docId: 'd', update: edit('a') }, { docId: 'd', update: edit('b') }])
    await storage.append([{ docId: 'other', update: edit('o') }])
    const loaded = await storage.load('d')
    await storage.append([{ docId: 'd', update: edit('c') }]) // lands between the load and the compaction
    await storage.replace('d', loaded.map((r) => r.id), Y.mergeUpdates(loaded.map((r) => r.update)))
    const after = await storage.load('d')
    expect(after).toHaveLength(2)
    expect(textOf(after)).toBe('abc')
    expect(textOf(await storage.load('other'))).toBe('o')
  })

  it('two nodes compacting the same document at once lose no update', async () => {
    const table = `race${++tableCount}`
    const nodeA = newStorage({ table })
    const nodeB = newStorage({ table })
    const letters = 'abcdefghij'
    for (const letter of letters.slice(0, 5)) await nodeA.append([{ docId: 'd', update: edit(letter) }])
    for (let round = 0; round < 5; round++) {
      const [seenA, seenB] = await Promise.all([nodeA.load('d'), nodeB.load('d')])
      await Promise.all([
        nodeA.replace('d', seenA.map((r) => r.id), Y.mergeUpdates(seenA.map((r) => r.update))),
        nodeB.append([{ docId: 'd', update: edit(letters[5 + round]!) }]),
        nodeB.replace('d', seenB.slice(1).map((r) => r.id), Y.mergeUpdates(seenB.slice(1).map((r) => r.update))),
      ])
    }
    expect(textOf(await nodeA.load('d'))).toBe(letters)
  })

  it('never opens more connections than poolSize', async () => {
    const table = `pool${++tableCount}`
    const storage = newStorage({ table, poolSize: 2 })
    await Promise.all(Array.from({ length: 20 }, (_, i) => storage.append([{ docId: `d${i}`, update: edit('a') }])))
    const connections = await admin.query<{ n: string }>(
      `SELECT count(*) AS n FROM pg_stat_activity WHERE application_name = 'driftless-relay' AND query LIKE '%${table}%'`,
    )
    expect(Number(connections.rows[0]?.n)).toBe(2)
  })

  it('rejects bad options with a typed error', () => {
    for (const options of [{ table: 'drop table x;' }, { poolSize: 0 }]) {
      expect(() => createPostgresStorage({ url: server.url, ...options })).toThrow(StorageError)
      expect(() => createPostgresStorage({ url: server.url, ...options })).toThrow(expect.objectContaining({ code: 'invalidOption' }))
    }
  })

  it('fails writes while the server is down, without acking, and works again once it is back', async () => {
    const errors: Error[] = []
    const storage = createPostgresStorage({ url: server.url, table: `down${++tableCount}`, timeoutMs: 2000, onError: (e) => errors.push(e) })
    open.push(storage)
    await storage.append([{ docId: 'd', update: edit('a') }])
    await admin.end()
    await server.stop()
    try {
      await expect(storage.append([{ docId: 'd', update: edit('b') }])).rejects.toMatchObject({ name: 'StorageError', code: 'operationFailed' })
      await expect(storage.load('d')).rejects.toMatchObject({ name: 'StorageError', code: 'operationFailed' })
    } finally {
      await server.start()
      admin = new pg.Client({ connectionString: server.url })
      await admin.connect()
    }
    await storage.append([{ docId: 'd', update: edit('c') }])
    expect(textOf(await storage.load('d'))).toBe('ac')
  })

  it('close waits for pending operations', async () => {
    const storage = createPostgresStorage({ url: server.url, table: `close${++tableCount}` })
    const pending = storage.append([{ docId: 'd', update: edit('a') }])
    await storage.load('d') // schema in place, so the append is running when close starts
    await Promise.all([pending, storage.close()])
    const reopened = newStorage({ table: `close${tableCount}` })
    expect(textOf(await reopened.load('d'))).toBe('a')
    await expect(storage.load('d')).rejects.toMatchObject({ code: 'closed' })
  })
})
