import { afterEach, describe, expect, it } from 'vitest'
import * as Y from 'yjs'
import { createVersion, getVersionJson, getVersionUpdate, listVersions, restoreVersion, type AdminResponse } from '../src/admin/versions.js'
import type { Relay } from '../src/index.js'
import { startRelay } from './helpers.js'
import { SyncedDoc } from './versions-support.js'

let relay: Relay
const closers: (() => void)[] = []
afterEach(async () => {
  for (const close of closers.splice(0)) close()
  await relay?.close()
})

const json = (response: AdminResponse): Record<string, unknown> => {
  if (!('json' in response)) throw new Error('expected JSON')
  return response.json as Record<string, unknown>
}

describe('admin version routes (handlers called directly)', () => {
  it('create, list, read as update and JSON, restore', async () => {
    relay = await startRelay()
    const ctx = { versions: relay.versions }
    const client = await SyncedDoc.open(relay.url, 'doc')
    closers.push(() => client.close())
    await client.change(doc => doc.getMap('m').set('title', 'v1'))

    const created = await createVersion(ctx, 'doc', '', { name: 'release' })
    expect(created.status).toBe(201)
    const version = json(created).version as { id: number; name: string; createdBy: string }
    expect(version).toMatchObject({ name: 'release', createdBy: 'admin', authors: ['anonymous'] })
    await client.change(doc => doc.getMap('m').set('title', 'v2'))

    expect(json(await listVersions(ctx, 'doc')).versions).toMatchObject([{ id: version.id }])
    const update = await getVersionUpdate(ctx, 'doc', String(version.id))
    expect(update.status).toBe(200)
    const doc = new Y.Doc()
    Y.applyUpdate(doc, (update as { bytes: Uint8Array }).bytes)
    expect(doc.getMap('m').get('title')).toBe('v1')
    expect(json(await getVersionJson(ctx, 'doc', String(version.id)))).toMatchObject({ content: { m: { title: 'v1' } } })

    const restored = await restoreVersion(ctx, 'doc', String(version.id))
    expect(restored.status).toBe(200)
    expect(json(restored)).toMatchObject({ restored: { id: version.id }, beforeRestore: { kind: 'beforeRestore', createdBy: 'admin' } })
    const check = await SyncedDoc.open(relay.url, 'doc')
    closers.push(() => check.close())
    expect(check.doc.getMap('m').get('title')).toBe('v1')
  })

  it('bad input: 404 for unknown, malformed and other documents\' ids, 400 for bad names; nothing stored', async () => {
    relay = await startRelay()
    const ctx = { versions: relay.versions }
    const theirs = json(await createVersion(ctx, 'other', '', { name: 'theirs' })).version as { id: number }
    for (const id of ['999999', 'abc', '0', '-1', '1e3', '', String(theirs.id)]) {
      for (const handler of [getVersionUpdate, getVersionJson, restoreVersion]) {
        const response = await handler(ctx, 'doc', id)
        expect(response).toMatchObject({ status: 404, json: { error: 'versionNotFound' } })
      }
    }
    for (const body of [{}, { name: '' }, { name: 'x'.repeat(300) }, { name: 7 }, null, 'name']) {
      expect(await createVersion(ctx, 'doc', '', body)).toMatchObject({ status: 400, json: { error: 'invalidVersionName' } })
    }
    expect(json(await listVersions(ctx, 'doc')).versions).toEqual([])
  })
})
