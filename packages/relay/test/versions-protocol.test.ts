import { afterEach, describe, expect, it } from 'vitest'
import * as Y from 'yjs'
import { ErrorCode, type Message } from '@driftless/protocol'
import { signToken, type Relay } from '../src/index.js'
import type { TestClient } from './helpers.js';
import { waitUntil } from '@driftless/testkit/support'
import { startRelay } from './helpers.js'
import { SyncedDoc } from './versions-support.js'

const secret = 'history-protocol-secret'
let relay: Relay
const closers: (() => void)[] = []
afterEach(async () => {
  for (const close of closers.splice(0)) close()
  await relay?.close()
})

const opened = async (token: string, docId = 'doc'): Promise<SyncedDoc> => {
  const synced = await SyncedDoc.open(relay.url, docId, token)
  closers.push(() => synced.close())
  return synced
}

/** Sends a history request and waits for its one answer. */
const ask = async (client: TestClient, request: Message & { requestId: number }): Promise<Message> => {
  const from = client.received.length
  client.send(request)
  return client.waitFor(m => (m.type === 'versions-result' || m.type === 'version-content' || m.type === 'version-error')
    && m.requestId === request.requestId, from)
}

describe('history messages on a Driftless connection', () => {
  it('write access creates, lists, loads and restores; the requester has the restore before the answer', async () => {
    relay = await startRelay({ auth: { secret } })
    const writer = await opened(await signToken({ secret, docs: { doc: 'write' }, subject: 'alice' }))
    const watcher = await opened(await signToken({ secret, docs: { doc: 'read' }, subject: 'bob' }))
    await writer.change(doc => doc.getText('t').insert(0, 'v1'))
    const created = await ask(writer.client, { type: 'version-create', docId: 'doc', requestId: 1, name: 'first' })
    expect(created).toMatchObject({ type: 'versions-result', versions: [{ name: 'first', kind: 'named', createdBy: 'alice', authors: ['alice'] }] })
    const id = (created as Extract<Message, { type: 'versions-result' }>).versions[0]!.id
    await writer.change(doc => doc.getText('t').insert(2, ' and more'))

    const listed = await ask(watcher.client, { type: 'versions-list', docId: 'doc', requestId: 7 })
    expect(listed).toMatchObject({ type: 'versions-result', requestId: 7, versions: [{ id, name: 'first' }] })
    const loaded = await ask(watcher.client, { type: 'version-load', docId: 'doc', requestId: 8, versionId: id })
    expect(loaded.type).toBe('version-content')
    const preview = new Y.Doc()
    Y.applyUpdate(preview, (loaded as Extract<Message, { type: 'version-content' }>).update)
    expect(preview.getText('t').toString()).toBe('v1')

    const restored = await ask(writer.client, { type: 'version-restore', docId: 'doc', requestId: 2, versionId: id })
    expect(restored).toMatchObject({ type: 'versions-result', versions: [{ id }, { kind: 'beforeRestore', createdBy: 'alice' }] })
    // The requester has the restore before the answer; other subscribers get it on their own sockets.
    writer.pull()
    expect(writer.doc.getText('t').toString()).toBe('v1')
    await waitUntil(() => { watcher.pull(); return watcher.doc.getText('t').toString() === 'v1' }, 10_000, 'watcher restored')
  })

  it('read access cannot create or restore: readOnly, nothing stored or changed', async () => {
    relay = await startRelay({ auth: { secret } })
    const writer = await opened(await signToken({ secret, docs: { doc: 'write' }, subject: 'alice' }))
    const reader = await opened(await signToken({ secret, docs: { doc: 'read' }, subject: 'bob' }))
    await writer.change(doc => doc.getText('t').insert(0, 'v1'))
    const version = await relay.versions.createNamed('doc', 'first', 'alice')
    await writer.change(doc => doc.getText('t').insert(2, '+'))
    expect(await ask(reader.client, { type: 'version-create', docId: 'doc', requestId: 1, name: 'mine' }))
      .toMatchObject({ type: 'version-error', code: ErrorCode.readOnly })
    expect(await ask(reader.client, { type: 'version-restore', docId: 'doc', requestId: 2, versionId: version.id }))
      .toMatchObject({ type: 'version-error', code: ErrorCode.readOnly })
    expect((await relay.versions.list('doc')).map(info => info.id)).toEqual([version.id])
    const check = await opened(await signToken({ secret, docs: { doc: 'read' } }))
    expect(check.doc.getText('t').toString()).toBe('v1+')
  })

  it('refuses requests for documents not subscribed or not granted, unknown versions and bad names', async () => {
    relay = await startRelay({ auth: { secret } })
    const writer = await opened(await signToken({ secret, docs: { doc: 'write', other: 'write' } }))
    const other = await opened(await signToken({ secret, docs: { other: 'write' } }), 'other')
    await other.change(doc => doc.getText('t').insert(0, 'x'))
    const theirs = await relay.versions.createNamed('other', 'theirs', 'x')
    expect(await ask(writer.client, { type: 'versions-list', docId: 'other', requestId: 1 })).toMatchObject({ code: ErrorCode.notSubscribed })
    expect(await ask(writer.client, { type: 'versions-list', docId: 'secret', requestId: 2 })).toMatchObject({ code: ErrorCode.forbidden })
    expect(await ask(writer.client, { type: 'version-load', docId: 'doc', requestId: 3, versionId: theirs.id })).toMatchObject({ code: ErrorCode.versionNotFound })
    expect(await ask(writer.client, { type: 'version-restore', docId: 'doc', requestId: 4, versionId: theirs.id })).toMatchObject({ code: ErrorCode.versionNotFound })
    expect(await ask(writer.client, { type: 'version-create', docId: 'doc', requestId: 5, name: 'n'.repeat(300) })).toMatchObject({ code: ErrorCode.invalidVersionName })
    expect(await relay.versions.list('doc')).toEqual([])
    // The connection stays usable.
    await writer.change(doc => doc.getText('t').insert(0, 'still fine'))
  })
})
