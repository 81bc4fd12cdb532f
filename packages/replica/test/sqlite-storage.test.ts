import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import * as Y from 'yjs'
import { createSqliteStorage } from '../src/storage/sqlite.js'
import { runStorageContract } from '@driftless/replica/testing'

const root = mkdtempSync(join(tmpdir(), 'driftless-replica-sqlite-'))
afterAll(() => rmSync(root, { recursive: true, force: true }))

let caseName = ''
let casePath = ''
/** One file per test case; every adapter opened within one case shares it (two processes on one file). */
const pathForCase = (): string => {
  const name = expect.getState().currentTestName ?? ''
  if (name !== caseName || casePath === '') {
    caseName = name
    casePath = join(mkdtempSync(join(root, 'case-')), 'replica.db')
  }
  return casePath
}

runStorageContract('sqlite', () => createSqliteStorage({ path: pathForCase() }), { describe, it })

const edit = (text: string): Uint8Array => {
  const doc = new Y.Doc()
  doc.getText('t').insert(0, text)
  return Y.encodeStateAsUpdate(doc)
}

describe('sqlite adapter', () => {
  it('keeps log and pending entries across close and reopen of the file', async () => {
    const path = join(mkdtempSync(join(root, 'reopen-')), 'nested', 'replica.db')
    const first = createSqliteStorage({ path })
    const update = edit('x')
    const [key] = await first.write('doc', { log: [update], pending: [{ update, changes: 2 }], acked: [] })
    await first.close()
    const again = createSqliteStorage({ path, synchronous: 'normal' })
    const stored = await again.load('doc')
    expect(stored.log).toHaveLength(1)
    expect(stored.pending).toEqual([{ key, update: expect.any(Uint8Array), changes: 2 }])
    expect([...stored.pending[0]!.update]).toEqual([...update])
    await again.close()
  })

  it('keeps ids a client can use, and keeps documents apart', async () => {
    const storage = createSqliteStorage({ path: join(mkdtempSync(join(root, 'ids-')), 'replica.db') })
    const ids = ['with/slash and space', 'ünïcødé ✓', 'a', 'a ']
    for (const id of ids) await storage.write(id, { log: [edit(id)], pending: [], acked: [] })
    for (const id of ids) expect((await storage.load(id)).log).toHaveLength(1)
    await storage.close()
  })
})
