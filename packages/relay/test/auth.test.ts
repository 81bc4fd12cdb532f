import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import * as Y from 'yjs'
import { Awareness, encodeAwarenessUpdate } from 'y-protocols/awareness'
import { CloseCode, ErrorCode, PROTOCOL_VERSION, type Message } from '@driftless/protocol'
import { createMemoryStorage, signToken, type Relay, type RelayStorage } from '../src/index.js'
import { Authenticator } from '../src/auth.js'
import { makeUpdate, startRelay, TestClient } from './helpers.js'

const secret = 'auth-matrix-secret'
const DOC = 'board-42'
let relay: Relay
let storage: RelayStorage
let observer: TestClient
let marker: TestClient
const markerDoc = new Y.Doc()
let markerAckId = 0
const fenceUpdates = new Set<string>()

beforeAll(async () => {
  storage = createMemoryStorage()
  relay = await startRelay({ storage, auth: { secret, tokenGraceMs: 300 } })
  observer = await TestClient.greeted(relay.url, await signToken({ secret, docs: { [DOC]: 'write' } }))
  await observer.subscribe(DOC)
  marker = await TestClient.greeted(relay.url, await signToken({ secret, docs: { 'board-*': 'write' } }))
  await marker.subscribe(DOC)
})
afterAll(async () => {
  await relay.close()
})

const evilUpdate = (): Uint8Array => makeUpdate('EVIL')
const evilAwareness = (): Uint8Array => {
  const awareness = new Awareness(new Y.Doc())
  awareness.setLocalState({ evil: true })
  const update = encodeAwarenessUpdate(awareness, [awareness.clientID])
  awareness.destroy()
  return update
}

type Action = 'subscribe' | 'sync-step-1' | 'sync-step-2' | 'update' | 'awareness'
const ACK = 99
const actionMessage = (action: Action): Message => {
  switch (action) {
    case 'subscribe': return { type: 'subscribe', docId: DOC, stateVector: new Uint8Array([0]) }
    case 'sync-step-1': return { type: 'sync-step-1', docId: DOC, stateVector: new Uint8Array([0]) }
    case 'sync-step-2': return { type: 'sync-step-2', docId: DOC, update: evilUpdate(), ackId: ACK }
    case 'update': return { type: 'update', docId: DOC, update: evilUpdate(), ackId: ACK }
    case 'awareness': return { type: 'awareness', docId: DOC, update: evilAwareness() }
  }
}

type TokenKind = 'missing' | 'expired' | 'wrong-document' | 'read-only'
const tokenFor = (kind: TokenKind): Promise<string> => {
  switch (kind) {
    case 'missing': return Promise.resolve('')
    case 'expired': return signToken({ secret, docs: { [DOC]: 'write' }, expiresIn: -60 })
    case 'wrong-document': return signToken({ secret, docs: { 'board-7': 'write', 'other/*': 'write' } })
    case 'read-only': return signToken({ secret, docs: { [DOC]: 'read' } })
  }
}

/** What must come back: an error code, or `null` when the action is allowed for that token. */
const expected: Record<TokenKind, Record<Action, number | null>> = {
  'missing': { 'subscribe': ErrorCode.unauthorized, 'sync-step-1': ErrorCode.unauthorized, 'sync-step-2': ErrorCode.unauthorized, 'update': ErrorCode.unauthorized, 'awareness': ErrorCode.unauthorized },
  'expired': { 'subscribe': ErrorCode.tokenExpired, 'sync-step-1': ErrorCode.tokenExpired, 'sync-step-2': ErrorCode.tokenExpired, 'update': ErrorCode.tokenExpired, 'awareness': ErrorCode.tokenExpired },
  'wrong-document': { 'subscribe': ErrorCode.forbidden, 'sync-step-1': ErrorCode.forbidden, 'sync-step-2': ErrorCode.forbidden, 'update': ErrorCode.forbidden, 'awareness': ErrorCode.forbidden },
  // Readers may read and (by default) send awareness; their writes are refused.
  'read-only': { 'subscribe': null, 'sync-step-1': null, 'sync-step-2': ErrorCode.readOnly, 'update': ErrorCode.readOnly, 'awareness': null },
}

/** Sends a marker update through an authorized client and waits until the observer got it. */
const fence = async (): Promise<void> => {
  const before = Y.encodeStateVector(markerDoc)
  markerDoc.getArray('fence').push([++markerAckId])
  const from = observer.received.length
  const update = Y.encodeStateAsUpdate(markerDoc, before)
  fenceUpdates.add(Buffer.from(update).toString('hex'))
  marker.send({ type: 'update', docId: DOC, update, ackId: markerAckId })
  await observer.waitFor(m => m.type === 'update', from)
  await marker.waitFor(m => m.type === 'ack' && m.ackId === markerAckId)
}

const storedText = async (): Promise<string> => {
  const doc = new Y.Doc()
  for (const row of await storage.load(DOC)) Y.applyUpdate(doc, row.update)
  return doc.getText('t').toString()
}

describe('auth matrix: nothing unauthorized is stored or forwarded', () => {
  const kinds: TokenKind[] = ['missing', 'expired', 'wrong-document', 'read-only']
  const actions: Action[] = ['subscribe', 'sync-step-1', 'sync-step-2', 'update', 'awareness']
  for (const kind of kinds) {
    for (const action of actions) {
      it(`${kind} token × ${action}`, async () => {
        const client = await TestClient.connect(relay.url)
        const from = observer.received.length
        client.send({ type: 'hello', version: PROTOCOL_VERSION, token: await tokenFor(kind) })
        if (action !== 'subscribe') client.send(actionMessage('subscribe'))
        client.send(actionMessage(action))
        const code = expected[kind][action]
        if (kind === 'missing') {
          expect(await client.waitClosed()).toBe(CloseCode.unauthorized)
          expect(client.of('error').map(e => e.code)).toEqual([ErrorCode.unauthorized])
        } else if (code !== null) {
          const writes = action === 'update' || action === 'sync-step-2'
          const refusal = await client.waitFor(m => m.type === 'error' && m.docId === DOC && m.code === code && (!writes || m.ackId === ACK))
          expect(refusal).toMatchObject({ code, docId: DOC })
        } else {
          client.send({ type: 'ping', nonce: 1 })
          await client.waitFor(m => m.type === 'pong')
          expect(client.of('error')).toEqual([])
        }
        await fence()
        const forwarded = observer.received.slice(from).filter(m => m.type !== 'ack')
        const fromVictim = forwarded.filter(m => !(m.type === 'update' && fenceUpdates.has(Buffer.from(m.update).toString('hex'))))
        if (kind === 'read-only' && action === 'awareness') expect(fromVictim.map(m => m.type)).toEqual(['awareness'])
        else expect(fromVictim).toEqual([])
        expect(await storedText()).toBe('')
        if (kind === 'expired') expect(await client.waitClosed()).toBe(CloseCode.tokenExpired)
        client.close()
      })
    }
  }
})

describe('tokens', () => {
  it('an expired connection is told, refreshed in-band with auth, and keeps working', async () => {
    // Two seconds of life (whole seconds, so at least one): a busy machine still greets before it runs out.
    const client = await TestClient.greeted(relay.url, await signToken({ secret, docs: { [DOC]: 'write' }, expiresIn: 2 }))
    const welcome = client.of('welcome')[0]!
    expect(welcome.expiresAt).toBeGreaterThan(0)
    await client.subscribe(DOC)
    await client.waitFor(m => m.type === 'error' && m.code === ErrorCode.tokenExpired && m.docId === '', 0, 8000)
    client.send({ type: 'auth', token: await signToken({ secret, docs: { [DOC]: 'write' } }) })
    await client.waitFor(m => m.type === 'welcome', client.received.indexOf(welcome) + 1)
    await new Promise(resolve => setTimeout(resolve, 500)) // past the 300 ms grace: still open
    const update = makeUpdate('fresh')
    client.send({ type: 'update', docId: DOC, update, ackId: 5 })
    await client.waitFor(m => m.type === 'ack' && m.ackId === 5)
    expect(client.closeCode).toBeNull()
    expect(await storedText()).toBe('fresh')
    client.close()
  })

  it('a bad auth keeps the old grant and answers unauthorized', async () => {
    const client = await TestClient.greeted(relay.url, await signToken({ secret, docs: { [DOC]: 'read' } }))
    client.send({ type: 'auth', token: 'not-a-jwt' })
    expect(await client.waitFor(m => m.type === 'error')).toMatchObject({ code: ErrorCode.unauthorized })
    await client.subscribe(DOC)
    client.close()
  })

  it('a token signed with another secret is refused with 4001', async () => {
    const client = await TestClient.connect(relay.url)
    client.send({ type: 'hello', version: PROTOCOL_VERSION, token: await signToken({ secret: 'other', docs: { [DOC]: 'write' } }) })
    expect(await client.waitClosed()).toBe(CloseCode.unauthorized)
  })
})

describe('public-key tokens', () => {
  it('verifies ES256 tokens with a public key', async () => {
    const { generateKeyPair, SignJWT } = await import('jose')
    const { publicKey, privateKey } = await generateKeyPair('ES256')
    const keyed = await startRelay({ auth: { publicKey } })
    try {
      const token = await new SignJWT({ docs: { 'k/*': 'write' } }).setProtectedHeader({ alg: 'ES256' }).setExpirationTime('1h').sign(privateKey)
      const client = await TestClient.greeted(keyed.url, token)
      await client.subscribe('k/1')
      client.send({ type: 'subscribe', docId: 'j/1', stateVector: new Uint8Array([0]) })
      expect(await client.waitFor(m => m.type === 'error')).toMatchObject({ code: ErrorCode.forbidden })
      client.close()
      const forged = await TestClient.connect(keyed.url)
      forged.send({ type: 'hello', version: PROTOCOL_VERSION, token: await signToken({ secret: 'guess', docs: { 'k/*': 'write' } }) })
      expect(await forged.waitClosed()).toBe(CloseCode.unauthorized)
    } finally {
      await keyed.close()
    }
  })
})

describe('authorize hook and origins', () => {
  it('uses a custom async authorize hook per document', async () => {
    const seen: string[] = []
    const hooked = await startRelay({
      auth: {
        authorize: async ({ token, docId, request }) => {
          // The upgrade request is kept for every later subscribe while the hook exists.
          seen.push(`${token}:${docId}:${request.headers['sec-websocket-protocol']}`)
          return docId.startsWith(`${token}/`) ? 'write' : docId === 'public' ? 'read' : 'deny'
        },
        readersMaySendAwareness: false,
      },
    })
    try {
      const client = await TestClient.greeted(hooked.url, 'alice')
      await client.subscribe('alice/notes')
      client.send({ type: 'update', docId: 'alice/notes', update: makeUpdate('x'), ackId: 1 })
      await client.waitFor(m => m.type === 'ack')
      client.send({ type: 'subscribe', docId: 'bob/notes', stateVector: new Uint8Array([0]) })
      expect(await client.waitFor(m => m.type === 'error')).toMatchObject({ code: ErrorCode.forbidden, docId: 'bob/notes' })
      await client.subscribe('public')
      client.send({ type: 'update', docId: 'public', update: makeUpdate('x'), ackId: 2 })
      expect(await client.waitFor(m => m.type === 'error' && m.ackId === 2)).toMatchObject({ code: ErrorCode.readOnly })
      client.send({ type: 'awareness', docId: 'public', update: evilAwareness() })
      expect(await client.waitFor(m => m.type === 'error' && m.code === ErrorCode.readOnly && m.ackId === 0)).toMatchObject({ docId: 'public' })
      expect(seen).toEqual(['alice:alice/notes:driftless', 'alice:bob/notes:driftless', 'alice:public:driftless'])
      client.close()
    } finally {
      await hooked.close()
    }
  })

  it('refuses upgrades from origins not in allowedOrigins with HTTP 403', async () => {
    const guarded = await startRelay({ allowedOrigins: ['https://app.example'] })
    try {
      const { WebSocket } = await import('ws')
      const status = (origin: string) => new Promise<number>(resolve => {
        const ws = new WebSocket(guarded.url, 'driftless', { origin })
        ws.on('unexpected-response', (_request, response) => resolve(response.statusCode ?? 0))
        ws.on('open', () => {
          ws.close()
          resolve(101)
        })
        ws.on('error', () => {})
      })
      expect(await status('https://evil.example')).toBe(403)
      expect(await status('https://app.example')).toBe(101)
    } finally {
      await guarded.close()
    }
  })
})

describe('Authenticator: which connections keep their upgrade request', () => {
  it('only an authorize hook reads it; without one the claims answer and no request is needed', async () => {
    const jwt = new Authenticator({ secret: 'shh' })
    expect(jwt.readsRequest).toBe(false)
    const verified = await jwt.verify(await signToken({ secret: 'shh', docs: { 'a': 'write' } }))
    if (!verified.ok) throw new Error('the token should verify')
    expect(await jwt.access(verified.grant, 'a', null)).toBe('write')
    expect(await jwt.access(verified.grant, 'b', null)).toBe('deny')
    expect(new Authenticator(undefined).readsRequest).toBe(false)
  })

  it('with an authorize hook the request is required, and its absence is a clear error, not a silent deny', async () => {
    const hooked = new Authenticator({ authorize: () => 'write' })
    expect(hooked.readsRequest).toBe(true)
    const verified = await hooked.verify('t')
    if (!verified.ok) throw new Error('authorize alone accepts every token')
    await expect(hooked.access(verified.grant, 'a', null)).rejects.toThrow(/needs the upgrade request/)
  })
})
