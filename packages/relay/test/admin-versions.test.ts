import { afterEach, describe, expect, it } from 'vitest'
import * as Y from 'yjs'
import { createMemoryStorage, type Relay, type RelayStorage } from '../src/index.js'
import { admin, docPath, type AdminAnswer } from './admin-helpers.js'
import { makeUpdate, startRelay } from './helpers.js'

const TOKEN = 'admin-secret-token'

let relay: Relay | undefined
let storage: RelayStorage
afterEach(async () => {
  await relay?.close()
  relay = undefined
  await storage.close()
})
const open = async (): Promise<Relay> => {
  storage = createMemoryStorage()
  relay = await startRelay({ storage, admin: { token: TOKEN } })
  return relay
}

const call = (r: Relay, method: string, path: string, body?: string, contentType = 'application/json'): Promise<AdminAnswer> =>
  admin(r, method, path, { token: TOKEN, ...(body === undefined ? {} : { body, contentType }) })
const write = (r: Relay, docId: string, update: Uint8Array): Promise<AdminAnswer> =>
  admin(r, 'POST', docPath(docId, '/update'), { token: TOKEN, body: update, contentType: 'application/octet-stream' })
const textOf = (update: Uint8Array): string => {
  const doc = new Y.Doc()
  Y.applyUpdate(doc, update)
  return doc.getText('t').toString()
}

describe('admin API: version history', () => {
  it('takes a named version, lists it, serves it as an update and as JSON, and restores it as a forward change', async () => {
    const r = await open()
    const doc = new Y.Doc()
    expect((await write(r, 'team/doc', makeUpdate('first', doc))).status).toBe(200)
    const created = await call(r, 'POST', docPath('team/doc', '/versions'), JSON.stringify({ name: 'Draft 1' }))
    expect(created.status).toBe(201)
    const version = (created.json as { version: { id: number; name: string; createdBy: string; kind: string } }).version
    expect(version).toMatchObject({ name: 'Draft 1', createdBy: 'admin', kind: 'named' })

    expect((await write(r, 'team/doc', makeUpdate(' and more', doc))).status).toBe(200)
    const listed = await call(r, 'GET', docPath('team/doc', '/versions'))
    expect((listed.json as { versions: Array<{ id: number }> }).versions.map(v => v.id)).toContain(version.id)

    const update = await call(r, 'GET', docPath('team/doc', `/versions/${version.id}/update`))
    expect(update.headers['content-type']).toBe('application/octet-stream')
    expect(textOf(update.bytes)).toBe('first')
    const json = await call(r, 'GET', docPath('team/doc', `/versions/${version.id}/json`))
    expect(json.json).toMatchObject({ version: { id: version.id }, content: { t: 'first' } })

    const restored = await call(r, 'POST', docPath('team/doc', `/versions/${version.id}/restore`))
    expect(restored.status).toBe(200)
    expect(restored.json).toMatchObject({ restored: { id: version.id }, beforeRestore: { kind: 'beforeRestore' } })
    const now = await call(r, 'GET', docPath('team/doc', '/json'))
    expect(now.json).toEqual({ t: 'first' })
  })

  it('refuses bad input with a JSON error and changes nothing', async () => {
    const r = await open()
    await write(r, 'doc', makeUpdate('x'))
    const cases: Array<[string, string, string | undefined, string | undefined, number, string]> = [
      ['POST', docPath('doc', '/versions'), '{"name": ""}', 'application/json', 400, 'invalidVersionName'],
      ['POST', docPath('doc', '/versions'), '{"name": ', 'application/json', 400, 'invalidJson'],
      ['POST', docPath('doc', '/versions'), 'name=x', 'application/x-www-form-urlencoded', 415, 'unsupportedMediaType'],
      ['GET', docPath('doc', '/versions/999/update'), undefined, undefined, 404, 'versionNotFound'],
      ['GET', docPath('doc', '/versions/not-a-number/json'), undefined, undefined, 404, 'versionNotFound'],
      ['POST', docPath('doc', '/versions/999/restore'), undefined, undefined, 404, 'versionNotFound'],
    ]
    for (const [method, path, body, type, status, error] of cases) {
      const answer = await admin(r, method, path, { token: TOKEN, ...(body === undefined ? {} : { body, contentType: type }) })
      expect({ path, status: answer.status, error: (answer.json as { error?: string }).error }).toEqual({ path, status, error })
    }
    expect((await call(r, 'GET', docPath('doc', '/versions'))).json).toEqual({ versions: [] })
    expect((await admin(r, 'GET', docPath('doc', '/versions'))).status).toBe(401)
  })

  it('a deleted document has no versions: 410, and they are gone from storage', async () => {
    const r = await open()
    await write(r, 'doomed', makeUpdate('secret'))
    expect((await call(r, 'POST', docPath('doomed', '/versions'), JSON.stringify({ name: 'v' }))).status).toBe(201)
    expect((await admin(r, 'DELETE', docPath('doomed'), { token: TOKEN })).status).toBe(204)
    const listed = await call(r, 'GET', docPath('doomed', '/versions'))
    expect({ status: listed.status, error: (listed.json as { error: string }).error }).toEqual({ status: 410, error: 'documentDeleted' })
    expect(await storage.versions.list('doomed')).toEqual([])
  })
})
