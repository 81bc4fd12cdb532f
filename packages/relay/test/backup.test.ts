import { spawn } from 'node:child_process'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { Readable } from 'node:stream'
import { fileURLToPath } from 'node:url'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import * as Y from 'yjs'
import { BackupError, importBackup } from '../src/backup.js'
import { createMemoryStorage, createPostgresStorage, createSqliteStorage } from '../src/index.js'
import { startPostgres, type PostgresServer } from './services/postgres-server.js'

const CLI = fileURLToPath(new URL('../src/cli.ts', import.meta.url))

/** Runs `driftless-relay <args>` from source with `stdin`, collecting its output. */
const runCli = (args: string[], stdin = ''): Promise<{ code: number | null; stdout: string; stderr: string }> =>
  new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--conditions=@driftless/source', '--import', 'tsx', CLI, ...args], {
      env: { ...process.env, DRIFTLESS_STORAGE: '' },
    })
    let stdout = ''
    let stderr = ''
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => { stdout += chunk })
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => { stderr += chunk })
    child.on('error', reject)
    child.on('close', code => resolve({ code, stdout, stderr }))
    child.stdin.end(stdin)
  })

/** The backup's lines without the header (which holds the export time). */
const body = (backup: string): string[] => backup.trimEnd().split('\n').slice(1)

let pg: PostgresServer
let dir: string
beforeAll(async () => {
  pg = await startPostgres()
  dir = mkdtempSync(join(tmpdir(), 'driftless-backup-'))
})
afterAll(async () => {
  await pg?.destroy()
  rmSync(dir, { recursive: true, force: true })
})

describe('driftless-relay export / import', { timeout: 120_000 }, () => {
  it('round-trips SQLite → file → PostgreSQL → file with byte-equal document states and tombstones', async () => {
    const sqlite = createSqliteStorage({ path: join(dir, 'relay.db') })
    const doc = new Y.Doc()
    for (const text of ['a', 'b', 'c']) {
      const before = Y.encodeStateVector(doc)
      doc.getText('t').insert(doc.getText('t').length, text)
      await sqlite.append([{ docId: 'multi/row board', update: Y.encodeStateAsUpdate(doc, before) }])
    }
    const other = new Y.Doc()
    other.getMap('m').set('k', 'v')
    await sqlite.append([{ docId: 'ünïcødé', update: Y.encodeStateAsUpdate(other) }, { docId: 'gone', update: Y.encodeStateAsUpdate(other) }])
    await sqlite.deleteDocument('gone', 1_700_000_000_000)
    await sqlite.close()

    const fromSqlite = await runCli(['export', '--data', dir])
    expect(fromSqlite.code, fromSqlite.stderr).toBe(0)
    expect(JSON.parse(fromSqlite.stdout.split('\n')[0]!)).toMatchObject({ kind: 'header', format: 'driftless-relay-backup', version: 1 })
    const imported = await runCli(['import', '--storage', pg.url], fromSqlite.stdout)
    expect(imported.code, imported.stderr).toBe(0)
    const fromPostgres = await runCli(['export', '--storage', pg.url])
    expect(fromPostgres.code, fromPostgres.stderr).toBe(0)

    const documentsOf = (backup: string) => body(backup).map(line => JSON.parse(line) as Record<string, unknown>)
      .map(({ kind, id, update, deletedAt }) => ({ kind, id, update, deletedAt }))
    expect(documentsOf(fromPostgres.stdout)).toEqual(documentsOf(fromSqlite.stdout))
    const postgres = createPostgresStorage({ url: pg.url, poolSize: 1 })
    try {
      const [row] = await postgres.load('multi/row board')
      const copy = new Y.Doc()
      Y.applyUpdate(copy, row!.update)
      expect(copy.getText('t').toString()).toBe('abc')
      // The import stored the exported merge as one row, byte for byte.
      const exported = documentsOf(fromSqlite.stdout).find(line => line.id === 'multi/row board')!
      expect(Buffer.from(row!.update).toString('base64')).toBe(exported.update)
      expect(await postgres.tombstone('gone')).toEqual({ id: 'gone', deletedAt: 1_700_000_000_000 })
      expect(await postgres.load('gone')).toEqual([])
    } finally {
      await postgres.close()
    }

    const one = await runCli(['export', '--data', dir, '--doc', 'ünïcødé'])
    expect(body(one.stdout).map(line => (JSON.parse(line) as { kind: string; id?: string }).id)).toEqual(['ünïcødé', undefined])
  })

  it('refuses a file that is not a backup, of another version, with a bad line, or cut short', async () => {
    const storage = createMemoryStorage()
    const header = JSON.stringify({ kind: 'header', format: 'driftless-relay-backup', version: 1, exportedAt: '2026-01-01T00:00:00Z' })
    const update = Buffer.from(Y.encodeStateAsUpdate(new Y.Doc({ gc: false }))).toString('base64')
    const documentLine = (id: string, data = update) => JSON.stringify({ kind: 'document', id, updatedAt: 0, update: data })
    const cases: [string[], BackupError['code']][] = [
      [['{"kind":"something else"}'], 'badLine'],
      [[JSON.stringify({ kind: 'header', format: 'other', version: 1 })], 'badHeader'],
      [[JSON.stringify({ kind: 'header', format: 'driftless-relay-backup', version: 2 })], 'unsupportedVersion'],
      [[header, 'not json'], 'badLine'],
      [[header, documentLine('bad', Buffer.from([9, 9, 9]).toString('base64'))], 'badLine'],
      [[header, documentLine('cut')], 'truncated'],
      [[header, JSON.stringify({ kind: 'end', documents: 3, tombstones: 0 })], 'truncated'],
      [[], 'badHeader'],
    ]
    for (const [lines, code] of cases) {
      const failure = await importBackup(storage, Readable.from([lines.join('\n')])).catch((error: unknown) => error)
      expect(failure).toBeInstanceOf(BackupError)
      expect((failure as BackupError).code).toBe(code)
    }
    expect(await storage.load('bad')).toEqual([])
    const cli = await runCli(['import', '--data', join(dir, 'empty')], 'garbage\n')
    expect(cli.code).toBe(1)
    expect(cli.stderr).toMatch(/line 1/)
  })
})
