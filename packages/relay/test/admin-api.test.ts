import { afterEach, describe, expect, it } from 'vitest'
import * as Y from 'yjs'
import { ErrorCode } from '@driftless/protocol'
import { createMemoryStorage, signToken, type Relay, type RelayOptions, type RelayStorage } from '../src/index.js'
import { adminRoutes } from '../src/admin/index.js'
import type { openApiDocument } from '../src/admin/openapi.js'
import { admin, docPath } from './admin-helpers.js'
import { makeUpdate, startRelay, TestClient } from './helpers.js'

const TOKEN = 'admin-secret-token'
const ODD_IDS = ['team/7/board', 'with space', 'ünïcødé/日本語', '100% sure?', '..%2F..%2Fetc']

let relay: Relay | undefined
let storage: RelayStorage
const open = async (options: RelayOptions = {}): Promise<Relay> => {
  storage = createMemoryStorage()
  relay = await startRelay({ storage, admin: { token: TOKEN }, ...options })
  return relay
}
afterEach(async () => {
  await relay?.close()
  relay = undefined
  await storage.close()
})

const textOf = (update: Uint8Array): string => {
  const doc = new Y.Doc()
  Y.applyUpdate(doc, update)
  return doc.getText('t').toString()
}
const storedText = async (docId: string): Promise<string> => {
  const rows = await storage.load(docId)
  return rows.length === 0 ? '' : textOf(Y.mergeUpdates(rows.map(row => row.update)))
}
const post = (r: Relay, docId: string, update: Uint8Array) =>
  admin(r, 'POST', docPath(docId, '/update'), { token: TOKEN, body: update, contentType: 'application/octet-stream' })

describe('admin API: access', () => {
  it('answers 404 on every route when no admin credential is configured', async () => {
    storage = createMemoryStorage()
    relay = await startRelay({ storage })
    for (const [method, path] of [['GET', '/v1/docs'], ['GET', '/v1/openapi.json'], ['DELETE', '/v1/docs/x']]) {
      expect((await admin(relay, method!, path!, { token: TOKEN })).status).toBe(404)
    }
  })

  it('refuses a missing, wrong or malformed token with 401 and a JSON error', async () => {
    const r = await open()
    for (const token of [undefined, 'wrong', `${TOKEN}x`, '']) {
      const answer = await admin(r, 'GET', '/v1/docs', { token })
      expect(answer.status).toBe(401)
      expect(answer.json).toMatchObject({ error: 'unauthorized' })
    }
    expect((await admin(r, 'GET', '/v1/docs', { token: TOKEN })).status).toBe(200)
  })

  it('takes a JWT signed with the auth secret only when it carries "admin": true and is current', async () => {
    const secret = 'relay-jwt-secret'
    storage = createMemoryStorage()
    relay = await startRelay({ storage, auth: { secret } })
    const adminJwt = await signToken({ secret, docs: {}, admin: true })
    const writerJwt = await signToken({ secret, docs: { '*': 'write' } })
    const expired = await signToken({ secret, docs: {}, admin: true, expiresIn: -60 })
    const foreign = await signToken({ secret: 'another-secret', docs: {}, admin: true })
    expect((await admin(relay, 'GET', '/v1/docs', { token: adminJwt })).status).toBe(200)
    for (const token of [writerJwt, expired, foreign]) expect((await admin(relay, 'GET', '/v1/docs', { token })).status).toBe(401)
  })
})

describe('admin API: documents', () => {
  it('writes through POST …/update: answered after the commit, fanned out to subscribers', async () => {
    const r = await open()
    const client = await TestClient.greeted(r.url)
    await client.subscribe('board')
    const from = client.received.length
    const answer = await post(r, 'board', makeUpdate('from a job'))
    expect(answer.status).toBe(200)
    expect(answer.json).toEqual({ committed: true })
    expect(await storedText('board')).toBe('from a job')
    const fanned = await client.waitFor(m => m.type === 'update' && m.docId === 'board', from)
    expect(fanned.type === 'update' && textOf(fanned.update)).toBe('from a job')
    client.close()
  })

  it('addresses ids with /, spaces, unicode, % and dots as one encoded path segment', async () => {
    const r = await open()
    for (const id of ODD_IDS) expect((await post(r, id, makeUpdate(`text of ${id}`))).status).toBe(200)
    for (const id of ODD_IDS) {
      expect(await storedText(id)).toBe(`text of ${id}`)
      const json = await admin(r, 'GET', docPath(id, '/json'), { token: TOKEN })
      expect(json.json).toEqual({ t: `text of ${id}` })
    }
    const listed = await admin(r, 'GET', '/v1/docs?limit=1000', { token: TOKEN })
    expect((listed.json as { docs: { id: string }[] }).docs.map(doc => doc.id).sort()).toEqual([...ODD_IDS].sort())
  })

  it('lists in a stable order, a page at a time, by prefix', async () => {
    const r = await open()
    const ids = Array.from({ length: 12 }, (_, i) => `team-1/doc-${String(i).padStart(2, '0')}`)
    for (const id of [...ids, 'team-2/other']) await post(r, id, makeUpdate(id))
    const seen: string[] = []
    let cursor: string | null = null
    do {
      const query: string = `/v1/docs?prefix=${encodeURIComponent('team-1/')}&limit=5${cursor === null ? '' : `&cursor=${cursor}`}`
      const page = (await admin(r, 'GET', query, { token: TOKEN })).json as { docs: { id: string; bytes: number; updatedAt: string }[]; next: string | null }
      expect(page.docs.length).toBeLessThanOrEqual(5)
      for (const doc of page.docs) {
        expect(doc.bytes).toBeGreaterThan(0)
        expect(Number.isNaN(Date.parse(doc.updatedAt))).toBe(false)
      }
      seen.push(...page.docs.map(doc => doc.id))
      cursor = page.next
    } while (cursor !== null)
    expect(seen).toEqual(ids)
  })

  it('reads a document: summary with state vector, its update, a diff since a state vector, its JSON', async () => {
    const r = await open()
    const doc = new Y.Doc()
    doc.getText('t').insert(0, 'hello')
    await post(r, 'read-me', Y.encodeStateAsUpdate(doc))
    const before = Y.encodeStateVector(doc)
    doc.getText('t').insert(5, ' world')
    doc.getMap('meta').set('owner', 'ada')
    doc.getArray('tags').push(['a', 'b'])
    doc.getXmlFragment('rich').push([new Y.XmlText('rich text')])
    await post(r, 'read-me', Y.encodeStateAsUpdate(doc, before))

    const summary = (await admin(r, 'GET', docPath('read-me'), { token: TOKEN })).json as Record<string, unknown>
    expect(summary).toMatchObject({ id: 'read-me' })
    expect(Buffer.from(summary.stateVector as string, 'base64')).toEqual(Buffer.from(Y.encodeStateVector(doc)))

    const full = await admin(r, 'GET', docPath('read-me', '/update'), { token: TOKEN })
    expect(full.headers['content-type']).toBe('application/octet-stream')
    const copy = new Y.Doc()
    Y.applyUpdate(copy, full.bytes)
    expect(copy.getText('t').toString()).toBe('hello world')

    const since = Buffer.from(before).toString('base64')
    const diff = await admin(r, 'GET', docPath('read-me', `/update?since=${encodeURIComponent(since)}`), { token: TOKEN })
    expect(diff.bytes.length).toBeLessThan(full.bytes.length)
    expect(Buffer.from(Y.diffUpdate(full.bytes, before))).toEqual(Buffer.from(diff.bytes))

    const json = (await admin(r, 'GET', docPath('read-me', '/json'), { token: TOKEN })).json
    expect(json).toEqual({ t: 'hello world', meta: { owner: 'ada' }, tags: ['a', 'b'], rich: 'rich text' })
  })

  it('answers 404 for a document never written and for unknown routes, 405 for a wrong method', async () => {
    const r = await open()
    for (const path of [docPath('nope'), docPath('nope', '/update'), docPath('nope', '/json')]) {
      expect(await admin(r, 'GET', path, { token: TOKEN })).toMatchObject({ status: 404, json: { error: 'documentNotFound' } })
    }
    expect(await admin(r, 'GET', '/v1/nothing', { token: TOKEN })).toMatchObject({ status: 404, json: { error: 'notFound' } })
    expect(await admin(r, 'GET', docPath('x', '/update/more'), { token: TOKEN })).toMatchObject({ status: 404, json: { error: 'notFound' } })
    const wrong = await admin(r, 'PUT', docPath('x'), { token: TOKEN })
    expect(wrong).toMatchObject({ status: 405, json: { error: 'methodNotAllowed' } })
    expect(wrong.headers.allow).toBe('GET, DELETE')
  })
})

describe('admin API: delete and restore', () => {
  it('DELETE removes the document for subscribers and readers (410), restore reopens the id empty', async () => {
    const r = await open()
    const client = await TestClient.greeted(r.url)
    await client.subscribe('team/7/board')
    expect((await post(r, 'team/7/board', makeUpdate('content'))).status).toBe(200)
    expect((await admin(r, 'DELETE', docPath('team/7/board'), { token: TOKEN })).status).toBe(204)
    await client.waitFor(m => m.type === 'error' && m.docId === 'team/7/board' && m.code === ErrorCode.documentDeleted)
    expect(await storage.load('team/7/board')).toEqual([])
    for (const path of [docPath('team/7/board'), docPath('team/7/board', '/update'), docPath('team/7/board', '/json')]) {
      expect(await admin(r, 'GET', path, { token: TOKEN })).toMatchObject({ status: 410, json: { error: 'documentDeleted' } })
    }
    expect(await post(r, 'team/7/board', makeUpdate('again'))).toMatchObject({ status: 410, json: { error: 'documentDeleted' } })
    expect(await storage.load('team/7/board')).toEqual([])
    expect((await admin(r, 'DELETE', docPath('team/7/board'), { token: TOKEN })).status).toBe(204)
    expect((await admin(r, 'GET', '/v1/docs', { token: TOKEN })).json).toEqual({ docs: [], next: null })

    expect((await admin(r, 'POST', docPath('team/7/board', '/restore'), { token: TOKEN })).status).toBe(204)
    expect(await admin(r, 'POST', docPath('team/7/board', '/restore'), { token: TOKEN })).toMatchObject({ status: 409, json: { error: 'notDeleted' } })
    expect(await admin(r, 'GET', docPath('team/7/board'), { token: TOKEN })).toMatchObject({ status: 404, json: { error: 'documentNotFound' } })
    expect((await post(r, 'team/7/board', makeUpdate('new life'))).status).toBe(200)
    expect(await storedText('team/7/board')).toBe('new life')
    client.close()
  })
})

describe('admin API: bad input stores nothing and the relay keeps serving', () => {
  it('refuses invalid updates, wrong content types, oversized bodies, bad ids and bad queries', async () => {
    const r = await open({ admin: { token: TOKEN, maxBodyBytes: 1024 } })
    const cases: [string, string, { body?: Uint8Array | string; contentType?: string }, number, string][] = [
      ['POST', docPath('d', '/update'), { body: new Uint8Array([1, 2, 3, 4, 5]), contentType: 'application/octet-stream' }, 400, 'invalidUpdate'],
      ['POST', docPath('d', '/update'), { body: new Uint8Array(), contentType: 'application/octet-stream' }, 400, 'invalidUpdate'],
      ['POST', docPath('d', '/update'), { body: '{"not": "an update"', contentType: 'application/json' }, 415, 'unsupportedMediaType'],
      ['POST', docPath('d', '/update'), { body: makeUpdate('x') }, 415, 'unsupportedMediaType'],
      ['POST', docPath('d', '/update'), { body: makeUpdate('x'.repeat(2000)), contentType: 'application/octet-stream' }, 413, 'payloadTooLarge'],
      ['POST', '/v1/docs/../update', { body: makeUpdate('x'), contentType: 'application/octet-stream' }, 400, 'invalidDocId'],
      ['POST', '/v1/docs/../../etc/update', { body: makeUpdate('x'), contentType: 'application/octet-stream' }, 400, 'invalidDocId'],
      ['POST', '/v1/docs/%E0%A4%A/update', { body: makeUpdate('x'), contentType: 'application/octet-stream' }, 400, 'invalidDocId'],
      ['POST', `/v1/docs/${'x'.repeat(513)}/update`, { body: makeUpdate('x'), contentType: 'application/octet-stream' }, 400, 'invalidDocId'],
      ['GET', '/v1/docs//json', {}, 400, 'invalidDocId'],
      ['GET', '/v1/docs?limit=0', {}, 400, 'invalidQuery'],
      ['GET', '/v1/docs?limit=ten', {}, 400, 'invalidQuery'],
      ['GET', '/v1/docs?cursor=%25%25', {}, 400, 'invalidQuery'],
    ]
    for (const [method, path, call, status, error] of cases) {
      const answer = await admin(r, method, path, { token: TOKEN, ...call })
      expect({ path, status: answer.status, json: answer.json }).toMatchObject({ path, status, json: { error } })
    }
    expect((await admin(r, 'GET', '/v1/docs', { token: TOKEN })).json).toEqual({ docs: [], next: null })
    expect(await storage.listDocuments({ limit: 10 })).toEqual([])
    // Encoded dots are an id like any other: nothing outside the document store is reached.
    expect(await admin(r, 'GET', '/v1/docs/..%2F..%2Fetc%2Fpasswd', { token: TOKEN })).toMatchObject({ status: 404, json: { error: 'documentNotFound' } })
    const ok = await post(r, 'd', makeUpdate('fine'))
    expect(ok.status).toBe(200)
    expect((await fetch(`http://127.0.0.1:${r.port}/healthz`)).status).toBe(200)
  })

  it('refuses a since that is not a state vector', async () => {
    const r = await open()
    await post(r, 'd', makeUpdate('x'))
    for (const since of ['%%%', Buffer.from([255, 255, 255]).toString('base64')]) {
      const answer = await admin(r, 'GET', docPath('d', `/update?since=${encodeURIComponent(since)}`), { token: TOKEN })
      expect(answer).toMatchObject({ status: 400, json: { error: 'invalidQuery' } })
    }
  })
})

describe('admin API: OpenAPI', () => {
  it('describes exactly the routes the API serves, each of which answers', async () => {
    const r = await open()
    const served = await admin(r, 'GET', '/v1/openapi.json', { token: TOKEN })
    const document = served.json as ReturnType<typeof openApiDocument>
    expect(document.openapi).toBe('3.1.0')
    const described = Object.entries(document.paths).flatMap(([path, methods]) => Object.keys(methods).map(method => `${method.toUpperCase()} ${path}`))
    const routes = adminRoutes({ storage, rooms: null as never, versions: null as never, maxBodyBytes: 0, deleteDocument: async () => {}, restoreDocument: async () => false })
    expect(described.sort()).toEqual(routes.map(route => `${route.method} ${route.path}`).sort())
    await post(r, 'doc', makeUpdate('x'))
    for (const route of routes) {
      const answer = await admin(r, route.method, route.path.replace('{id}', 'doc').replace('{v}', '1'), { token: TOKEN })
      const error = (answer.json as { error?: string } | undefined)?.error
      expect({ route: route.path, status: answer.status, error }).not.toMatchObject({ error: expect.stringMatching(/^(notFound|methodNotAllowed)$/) })
    }
  })
})
