import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { createRelay, signToken, type Relay } from '@driftless/relay'
import { afterEach, describe, expect, it } from 'vitest'
import { WebSocket } from 'ws'
import { ReplicaError } from '../src/index.js'
import { createVersion, listVersions, loadVersion, restoreVersion } from '../src/versions.js'
import { waitUntil } from '@driftless/testkit/support'
import { closeAll, replica, text } from './helpers.js'

const relays: Relay[] = []
const dirs: string[] = []
const start = async (options: Parameters<typeof createRelay>[0] = {}): Promise<Relay> => {
  const dir = mkdtempSync(join(tmpdir(), 'driftless-replica-versions-'))
  dirs.push(dir)
  const relay = await createRelay({ port: 0, host: '127.0.0.1', storage: { kind: 'sqlite', path: join(dir, 'relay.db') }, logLevel: 'silent', ...options })
  relays.push(relay)
  return relay
}
afterEach(async () => {
  await closeAll()
  await Promise.all(relays.splice(0).map((r) => r.close()))
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true })
})

const ws = WebSocket as unknown as NonNullable<Parameters<typeof replica>[0]['WebSocket']>
const codeOf = async (promise: Promise<unknown>): Promise<string> => {
  try {
    await promise
    return 'resolved'
  } catch (error) {
    return error instanceof ReplicaError ? error.code : `untyped: ${String(error)}`
  }
}

describe('replica version history (real relay, SQLite)', () => {
  it('creates, lists, previews and restores a version; the restore reaches every replica', async () => {
    const relay = await start()
    const a = replica({ relay: relay.url, WebSocket: ws, docId: 'hist' })
    const b = replica({ relay: relay.url, WebSocket: ws, docId: 'hist' })
    a.doc.getText('t').insert(0, 'first draft')
    await a.whenSynced()
    await waitUntil(() => a.status === 'synced', 5_000, 'a synced')
    const created = await createVersion(a, 'draft 1')
    expect(created).toMatchObject({ name: 'draft 1', kind: 'named', authors: ['anonymous'] })
    a.doc.getText('t').insert(11, ', then edited')
    await a.whenSynced()

    expect((await listVersions(b)).map(v => v.name)).toEqual(['draft 1'])
    const preview = await loadVersion(b, created.id)
    expect(preview.getText('t').toString()).toBe('first draft')

    const { restored, beforeRestore } = await restoreVersion(b, created.id)
    expect(restored.id).toBe(created.id)
    expect(beforeRestore.kind).toBe('beforeRestore')
    await waitUntil(() => text(a) === 'first draft' && text(b) === 'first draft', 5_000, 'restored everywhere')

    await restoreVersion(a, beforeRestore.id)
    await waitUntil(() => text(a) === 'first draft, then edited' && text(b) === text(a), 5_000, 'restore undone')
  })

  it('edits made offline during a restore land on top of the restored content', async () => {
    const relay = await start()
    const a = replica({ relay: relay.url, WebSocket: ws, docId: 'offline' })
    const b = replica({ relay: relay.url, WebSocket: ws, docId: 'offline' })
    a.doc.getText('t').insert(0, 'one two')
    await a.whenSynced()
    await waitUntil(() => a.status === 'synced', 5_000, 'a synced')
    const version = await createVersion(a, 'v1')
    a.doc.getText('t').insert(7, ' three')
    await a.whenSynced()
    await waitUntil(() => text(b) === 'one two three', 5_000, 'b has it')
    b.disconnect()
    b.doc.getText('t').insert(0, 'B: ')
    expect(await codeOf(restoreVersion(b, version.id))).toBe('offline')
    await restoreVersion(a, version.id)
    await waitUntil(() => text(a) === 'one two', 5_000, 'a restored')
    b.connect()
    await b.whenSynced()
    await waitUntil(() => text(a) === 'B: one two' && text(b) === 'B: one two', 5_000, 'merged')
  })

  it('typed errors: read-only tokens, unknown versions, bad names; nothing stored', async () => {
    const secret = 'replica-versions'
    const relay = await start({ auth: { secret } })
    const writer = replica({ relay: relay.url, WebSocket: ws, docId: 'typed', token: await signToken({ secret, docs: { typed: 'write' }, subject: 'w' }) })
    const reader = replica({ relay: relay.url, WebSocket: ws, docId: 'typed', token: await signToken({ secret, docs: { typed: 'read' }, subject: 'r' }) })
    writer.doc.getText('t').insert(0, 'x')
    await writer.whenSynced()
    await waitUntil(() => writer.status === 'synced' && reader.status !== 'offline' && reader.status !== 'connecting', 5_000, 'both connected')
    const version = await createVersion(writer, 'v')
    expect(await codeOf(createVersion(reader, 'nope'))).toBe('read-only')
    expect(await codeOf(restoreVersion(reader, version.id))).toBe('read-only')
    expect(await codeOf(restoreVersion(writer, version.id + 1000))).toBe('version-not-found')
    expect(await codeOf(loadVersion(writer, version.id + 1000))).toBe('version-not-found')
    expect(await codeOf(createVersion(writer, ''))).toBe('invalid-version-name')
    expect(await codeOf(createVersion(writer, 'n'.repeat(257)))).toBe('invalid-version-name')
    expect((await listVersions(reader)).map(v => v.id)).toEqual([version.id])
  })
})
