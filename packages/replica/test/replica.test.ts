import { afterEach, describe, expect, it, vi } from 'vitest'
import * as Y from 'yjs'
import { waitUntil } from '@driftless/testkit/support'
import { createMemoryStorage, type StorageAdapter } from '../src/index.js'
import { FakeRelay } from './fake-relay.js'
import { closeAll, replica, text } from './helpers.js'

const relays: FakeRelay[] = []
const fakeRelay = () => {
  const relay = new FakeRelay()
  relays.push(relay)
  return relay
}
/** The text an update inserts, whatever it depends on. */
const insertedText = (update: Uint8Array): string =>
  Y.decodeUpdate(update).structs.map((struct) => (struct instanceof Y.Item && struct.content instanceof Y.ContentString ? struct.content.str : '')).join('')

/** What the replicas sent the relay, as the text each update inserts (updates that insert none left out). */
const textsSent = (relay: FakeRelay): string[] =>
  relay.received.flatMap((m) => (m.type === 'update' || m.type === 'sync-step-2' ? [insertedText(m.update)] : [])).filter((t) => t !== '')

/** A replica, not yet connected, that typed "once" while its storage holds every write until `release()`. */
const editedWhileWritesWait = async (relay: FakeRelay) => {
  const inner = createMemoryStorage()
  let release!: () => void
  const written = new Promise<void>((resolve) => { release = resolve })
  const storage: StorageAdapter = { ...inner, write: async (docId, w) => { await written; return inner.write(docId, w) } }
  const a = replica({ relay: relay.url, storage, autoConnect: false })
  await a.loaded
  a.doc.getText('t').insert(0, 'once')
  return { a, release }
}

afterEach(async () => {
  await closeAll()
  for (const relay of relays.splice(0)) relay.dispose()
})

describe('replica against the relay model', () => {
  it('two replicas converge and reach synced', async () => {
    const relay = fakeRelay()
    const a = replica({ relay: relay.url })
    const b = replica({ relay: relay.url })
    await Promise.all([a.loaded, b.loaded])
    a.doc.getText('t').insert(0, 'hello ')
    b.doc.getText('t').insert(0, 'world')
    await Promise.all([a.whenSynced(), b.whenSynced()])
    await waitUntil(() => text(a) === text(b) && text(a).length === 11, 5_000, 'convergence')
    expect(relay.text('doc')).toBe(text(a))
    await waitUntil(() => a.status === 'synced' && b.status === 'synced', 5_000, 'synced status')
    expect(a.pending).toBe(0)
  })

  it('stores what the relay sends: a reload offline has it', async () => {
    const relay = fakeRelay()
    const storage = createMemoryStorage()
    const writer = replica({ relay: relay.url })
    const reader = replica({ relay: relay.url, storage })
    await Promise.all([writer.loaded, reader.loaded])
    writer.doc.getText('t').insert(0, 'from the relay')
    await waitUntil(() => text(reader) === 'from the relay', 5_000, 'reader has the edit')
    await reader.whenSaved()
    await reader.close()
    const offline = replica({ storage })
    await offline.loaded
    expect(text(offline)).toBe('from the relay')
  })

  it('a change an observer makes while a relay update is applied is recorded and reaches the relay', async () => {
    const relay = fakeRelay()
    const asker = replica({ relay: relay.url })
    const answerer = replica({ relay: relay.url })
    await Promise.all([asker.loaded, answerer.loaded])
    const answers = answerer.doc.getArray<string>('answers')
    answerer.doc.getArray<string>('questions').observe((event) => {
      if (event.transaction.local) return
      for (const question of event.changes.delta.flatMap((d) => (d.insert ?? []) as string[])) answers.push([`re: ${question}`])
    })
    asker.doc.getArray<string>('questions').push(['ping'])
    await waitUntil(() => asker.doc.getArray<string>('answers').toArray().join() === 're: ping', 5_000, 'the answer reaches the asker')
    await answerer.whenSynced()
    expect(answerer.pending).toBe(0)
    expect(relay.doc('doc').getArray<string>('answers').toArray()).toEqual(['re: ping'])
  })

  it('whenSynced resolves only after the relay acknowledges', async () => {
    const relay = fakeRelay()
    relay.holdAcks = true
    const a = replica({ relay: relay.url })
    await a.loaded
    a.doc.getText('t').insert(0, 'x')
    let synced = false
    const done = a.whenSynced().then(() => { synced = true })
    await waitUntil(() => relay.text('doc') === 'x', 5_000, 'relay has the update')
    await new Promise((resolve) => setTimeout(resolve, 50))
    expect(synced).toBe(false)
    expect(a.pending).toBe(1)
    relay.releaseAcks()
    await done
    expect(a.pending).toBe(0)
  })

  it('a change whose local write lands after the handshake is sent once, in the handshake', async () => {
    const relay = fakeRelay()
    const { a, release } = await editedWhileWritesWait(relay)
    relay.holdAcks = true
    a.connect()
    await waitUntil(() => relay.text('doc') === 'once', 5_000, 'the handshake reached the relay')
    // The write lands while the handshake awaits its ack.
    release()
    await a.whenSaved()
    relay.holdAcks = false
    relay.releaseAcks()
    await a.whenSynced()
    a.doc.getText('t').insert(4, ', after')
    await a.whenSynced()
    expect(textsSent(relay)).toEqual(['once', ', after'])
    expect(relay.text('doc')).toBe('once, after')
  })

  it('a change whose local write lands while a refused handshake waits to be resent goes out once, in the resend', async () => {
    const relay = fakeRelay()
    const { a, release } = await editedWhileWritesWait(relay)
    relay.failCommits = 1
    // The write lands as soon as the relay refuses the handshake, well before the resend (50 ms at the earliest).
    a.on('error', (error) => { if (error.code === 'relay-busy') release() })
    a.connect()
    // Synced: the resent handshake was acknowledged.
    await waitUntil(() => a.status === 'synced', 5_000, 'synced')
    // The refused handshake, then its resend.
    expect(textsSent(relay)).toEqual(['once', 'once'])
  })

  it('an edit made offline survives a reload and is synced on the next connection', async () => {
    const storage = createMemoryStorage()
    const relay = fakeRelay()
    const offline = replica({ storage })
    await offline.loaded
    offline.doc.getText('t').insert(0, 'offline edit')
    await offline.whenSaved()
    expect(offline.pending).toBe(1)
    await offline.close()

    const reloaded = replica({ storage, relay: relay.url })
    await reloaded.loaded
    expect(text(reloaded)).toBe('offline edit')
    expect(reloaded.pending).toBe(1)
    await reloaded.whenSynced()
    expect(relay.text('doc')).toBe('offline edit')
    await reloaded.whenSaved()
    expect((await storage.load('doc')).pending).toEqual([])
  })

  it('a storageFailure from the relay keeps the change pending and resends it', async () => {
    const relay = fakeRelay()
    const a = replica({ relay: relay.url })
    await a.loaded
    await waitUntil(() => a.status === 'synced', 5_000, 'synced')
    relay.failCommits = 1
    a.doc.getText('t').insert(0, 'retry me')
    await a.whenSynced()
    expect(a.errors.map((e) => e.code)).toContain('relay-busy')
    const sent = relay.received.filter((m) => m.type === 'update')
    expect(sent.length).toBeGreaterThanOrEqual(2)
  })

  it('read-only: a local write raises read-only and is not resent forever', async () => {
    const relay = fakeRelay()
    relay.authorize = () => ({ ok: true, readOnly: true })
    relay.doc('doc').getText('t').insert(0, 'server')
    const a = replica({ relay: relay.url })
    await waitUntil(() => text(a) === 'server', 5_000, 'initial sync')
    a.doc.getText('t').insert(0, 'mine ')
    await waitUntil(() => a.errors.some((e) => e.code === 'read-only'), 5_000, 'read-only error')
    a.doc.getText('t').insert(0, 'again ')
    await new Promise((resolve) => setTimeout(resolve, 100))
    const writes = relay.received.filter((m) => m.type === 'update' || m.type === 'sync-step-2')
    expect(writes.length).toBeLessThanOrEqual(2)
    expect(a.errors.filter((e) => e.code === 'read-only').length).toBeGreaterThanOrEqual(2)
    expect(relay.text('doc')).toBe('server')
  })

  it('fails over to the next relay URL', async () => {
    const down = fakeRelay()
    down.stop()
    const up = fakeRelay()
    const a = replica({ relay: [down.url, up.url] })
    await a.loaded
    a.doc.getText('t').insert(0, 'via the second node')
    await a.whenSynced()
    expect(up.text('doc')).toBe('via the second node')
  })

  it('refreshes a function token in-band before it expires', async () => {
    const relay = fakeRelay()
    let issued = 0
    relay.authorize = (token) => ({ ok: token.startsWith('t'), expiresAt: Math.floor(Date.now() / 1000) + 2 })
    const a = replica({ relay: relay.url, token: async () => `t${++issued}`, refreshBeforeMs: 1_500 })
    await waitUntil(() => relay.received.some((m) => m.type === 'auth'), 5_000, 'auth refresh')
    expect(relay.received.find((m) => m.type === 'auth')).toMatchObject({ token: 't2' })
    expect(a.errors).toEqual([])
  })

  it('an unauthorized static token surfaces a typed error and stops retrying', async () => {
    const relay = fakeRelay()
    relay.authorize = () => ({ ok: false })
    const a = replica({ relay: relay.url, token: 'bad' })
    await waitUntil(() => a.errors.some((e) => e.code === 'unauthorized'), 5_000, 'unauthorized')
    const opened = relay.connectionsOpened
    await new Promise((resolve) => setTimeout(resolve, 100))
    expect(relay.connectionsOpened).toBe(opened)
    expect(a.status).toBe('offline')
  })

  it('resyncs after the connection drops: only the missing diffs cross', async () => {
    const relay = fakeRelay()
    const a = replica({ relay: relay.url })
    const b = replica({ relay: relay.url })
    a.doc.getText('t').insert(0, 'a')
    await a.whenSynced()
    await waitUntil(() => text(b) === 'a', 5_000, 'b has a')
    relay.dropAll()
    a.doc.getText('t').insert(1, 'b')
    await a.whenSynced()
    await waitUntil(() => text(b) === 'ab', 5_000, 'b has ab')
  })

  it('detects a silent socket by heartbeat and reconnects', async () => {
    const relay = fakeRelay()
    const a = replica({ relay: relay.url, heartbeat: { idleMs: 50, timeoutMs: 200 } })
    await waitUntil(() => a.status === 'synced', 5_000, 'synced')
    const opened = relay.connectionsOpened
    // Make the relay deaf and mute without closing anything, as a dead network does.
    const receive = relay.receive.bind(relay)
    relay.receive = () => undefined
    await waitUntil(() => a.status !== 'synced', 5_000, 'noticed the dead socket')
    relay.receive = receive
    await waitUntil(() => relay.connectionsOpened > opened && a.status === 'synced', 5_000, 'reconnected')
  })
})

describe('local storage', () => {
  it('a storage fault is reported, the edit still reaches the relay, and storage catches up', async () => {
    const relay = fakeRelay()
    const inner = createMemoryStorage()
    let failing = true
    const storage: StorageAdapter = {
      ...inner,
      load: (docId) => inner.load(docId),
      write: (docId, w) => failing
        ? Promise.reject(new DOMException('quota', 'QuotaExceededError'))
        : inner.write(docId, w),
    }
    const a = replica({ relay: relay.url, storage })
    await a.loaded
    a.doc.getText('t').insert(0, 'kept')
    await waitUntil(() => a.errors.some((e) => e.code === 'storage-quota'), 5_000, 'quota error')
    await a.whenSynced()
    expect(relay.text('doc')).toBe('kept')
    failing = false
    await a.whenSaved()
    const stored = await inner.load('doc')
    const doc = new Y.Doc()
    for (const e of stored.log) Y.applyUpdate(doc, e.update)
    expect(doc.getText('t').toString()).toBe('kept')
  })

  it('opening and closing a document 1,000 times without edits writes nothing', async () => {
    const inner = createMemoryStorage()
    let writes = 0
    const storage: StorageAdapter = { ...inner, write: (d, w) => { writes++; return inner.write(d, w) } }
    const first = replica({ storage })
    first.doc.getText('t').insert(0, 'content')
    await first.close()
    const before = writes
    for (let i = 0; i < 1_000; i++) {
      const r = replica({ storage })
      await r.loaded
      await r.close()
    }
    expect(writes).toBe(before)
    expect((await inner.load('doc')).log.length).toBe(1)
  })

  it('reconnecting to a relay that has nothing new writes nothing', async () => {
    const relay = fakeRelay()
    const inner = createMemoryStorage()
    let writes = 0
    const storage: StorageAdapter = { ...inner, write: (d, w) => { writes++; return inner.write(d, w) } }
    const first = replica({ relay: relay.url, storage })
    first.doc.getText('t').insert(0, 'content')
    await first.whenSynced()
    await first.close()
    const before = writes
    for (let i = 0; i < 20; i++) {
      const r = replica({ relay: relay.url, storage })
      await waitUntil(() => r.status === 'synced', 5_000, 'synced')
      await r.close()
    }
    expect(writes).toBe(before)
  })

  it('compacts the log past the threshold without losing an edit', async () => {
    const storage = createMemoryStorage()
    const a = replica({ storage, compactAfter: 10 })
    for (let i = 0; i < 40; i++) {
      a.doc.getText('t').insert(0, 'x')
      await a.whenSaved()
    }
    expect((await storage.load('doc')).log.length).toBeLessThanOrEqual(11)
    await a.close()
    const b = replica({ storage })
    await b.loaded
    expect(text(b)).toBe('x'.repeat(40))
  })

  it('two replicas compacting the same stored document at once lose nothing', async () => {
    const storage = createMemoryStorage()
    const a = replica({ storage, compactAfter: 5 })
    const b = replica({ storage, compactAfter: 5 })
    await Promise.all([a.loaded, b.loaded])
    for (let i = 0; i < 30; i++) {
      a.doc.getText('a').insert(0, 'a')
      b.doc.getText('b').insert(0, 'b')
      await Promise.all([a.whenSaved(), b.whenSaved()])
    }
    await Promise.all([a.close(), b.close()])
    const c = replica({ storage })
    await c.loaded
    expect(text(c, 'a')).toBe('a'.repeat(30))
    expect(text(c, 'b')).toBe('b'.repeat(30))
  })

  it('merges 10,000 one-edit transactions into few writes', async () => {
    const inner = createMemoryStorage()
    let writes = 0
    const storage: StorageAdapter = { ...inner, write: (d, w) => { writes++; return inner.write(d, w) } }
    const a = replica({ storage })
    await a.loaded
    for (let i = 0; i < 10_000; i++) a.doc.getText('t').insert(i, 'x')
    // One task, one change: pending counts what a person did, not how many transactions it took.
    expect(a.pending).toBe(1)
    await a.whenSaved()
    expect(writes).toBeLessThanOrEqual(2)
    expect((await inner.load('doc')).pending).toMatchObject([{ changes: 10_000 }])
  })
})

describe('errors reach on(\'error\'), never a throw', () => {
  it('a relay without any WebSocket constructor is reported once loaded, and the replica works locally', async () => {
    vi.stubGlobal('WebSocket', undefined)
    try {
      const a = replica({ relay: 'ws://127.0.0.1:1', WebSocket: undefined })
      await a.loaded
      expect(a.errors.map((e) => e.code)).toEqual(['websocket-missing'])
      a.doc.getText('t').insert(0, 'local')
      await a.whenSaved()
      expect(a.status).toBe('offline')
      expect(a.pending).toBe(1)
    } finally {
      vi.unstubAllGlobals()
    }
  })

  it('pending entries that cannot be read before a handshake are reported, and the handshake goes on', async () => {
    const relay = fakeRelay()
    const inner = createMemoryStorage()
    let readable = true
    const storage: StorageAdapter = {
      ...inner,
      loadPending: (docId) => (readable ? inner.loadPending!(docId) : Promise.reject(new DOMException('connection lost', 'UnknownError'))),
    }
    const a = replica({ relay: relay.url, storage })
    await waitUntil(() => a.status === 'synced', 5_000, 'synced')
    expect(a.errors).toEqual([])
    readable = false
    a.doc.getText('t').insert(0, 'still sent')
    relay.dropAll()
    await waitUntil(() => a.errors.some((e) => e.code === 'storage-unavailable'), 5_000, 'the failed read is reported')
    await a.whenSynced()
    expect(relay.text('doc')).toBe('still sent')
  })
})

describe('storage unavailable at open', () => {
  it('starts from memory and the relay, then restores local state once storage is back', async () => {
    const relay = fakeRelay()
    const inner = createMemoryStorage()
    await inner.write('doc', { log: [stored('from disk')], pending: [], acked: [] })
    let down = true
    const storage: StorageAdapter = {
      ...inner,
      load: (docId) => (down ? Promise.reject(new DOMException('connection lost', 'UnknownError')) : inner.load(docId)),
      write: (docId, w) => (down ? Promise.reject(new DOMException('connection lost', 'UnknownError')) : inner.write(docId, w)),
    }
    const a = replica({ relay: relay.url, storage })
    await a.loaded
    expect(a.errors[0]?.code).toBe('storage-unavailable')
    a.doc.getText('u').insert(0, 'new')
    await a.whenSynced()
    down = false
    await waitUntil(() => text(a) === 'from disk', 10_000, 'restored from storage')
    await a.whenSaved()
  })
})

const stored = (content: string): Uint8Array => {
  const doc = new Y.Doc()
  doc.getText('t').insert(0, content)
  return Y.encodeStateAsUpdate(doc)
}

describe('what a reload writes', () => {
  it('edits after a reload store only their own diff, not the whole document again', async () => {
    const storage = createMemoryStorage()
    const first = replica({ storage })
    first.doc.getText('t').insert(0, 'x'.repeat(5_000))
    await first.close()
    const second = replica({ storage })
    await second.loaded
    second.doc.getText('t').insert(0, 'a')
    second.doc.getText('t').insert(0, 'b')
    await second.whenSaved()
    const stored = await storage.load('doc')
    expect(stored.pending.at(-1)!.update.length).toBeLessThan(200)
    expect(stored.log.at(-1)!.update.length).toBeLessThan(200)
  })
})
