import { afterEach, describe, expect, it } from 'vitest'
import * as Y from 'yjs'
import { ErrorCode, type Message } from '@driftless/protocol'
import { createMemoryStorage, type Relay, type RelayStorage } from '../src/index.js'
import type { AfterCommitPayload, ChangePayload, RelayHooks, SubscriptionPayload } from '../src/index.js'
import { captureLogs } from './log-capture.js'
import { waitUntil } from '@driftless/testkit/support'
import { makeUpdate, startRelay, TestClient } from './helpers.js'

const relays: Relay[] = []
const clients: TestClient[] = []
afterEach(async () => {
  for (const client of clients.splice(0)) client.close()
  for (const relay of relays.splice(0)) await relay.close()
})

const start = async (hooks: RelayHooks, options: Parameters<typeof startRelay>[0] = {}) => {
  const logs = captureLogs()
  const relay = await startRelay({ hooks, logger: logs.logger, ...options })
  relays.push(relay)
  return { relay, logs: logs.lines }
}

const connect = async (relay: Relay): Promise<TestClient> => {
  const client = await TestClient.greeted(relay.url)
  clients.push(client)
  return client
}

/** Sends one update and resolves with its ack (or error). */
const write = async (client: TestClient, docId: string, text: string, ackId: number, doc = new Y.Doc()): Promise<Message> => {
  const from = client.received.length
  client.send({ type: 'update', docId, update: makeUpdate(text, doc), ackId })
  return client.waitFor(m => (m.type === 'ack' || m.type === 'error') && m.ackId === ackId, from)
}

const textOf = (update: Uint8Array): string => {
  const doc = new Y.Doc()
  Y.applyUpdate(doc, update)
  return doc.getText('t').toString()
}

const never = (): Promise<never> => new Promise(() => {})

describe('afterCommit', () => {
  it('runs after the commit with the updates of each origin, once per document and transaction', async () => {
    const calls: AfterCommitPayload[] = []
    const { relay } = await start({ afterCommit: payload => { calls.push(payload) } })
    const client = await connect(relay)
    await client.subscribe('a')
    await client.subscribe('b')
    const doc = new Y.Doc()
    const sentA = [makeUpdate('x', doc), makeUpdate('y', doc)]
    const sentB = makeUpdate('z')
    // Sent in one burst: one transaction holds all three.
    client.send({ type: 'update', docId: 'a', update: sentA[0]!, ackId: 1 })
    client.send({ type: 'update', docId: 'a', update: sentA[1]!, ackId: 2 })
    client.send({ type: 'update', docId: 'b', update: sentB, ackId: 3 })
    await client.waitFor(m => m.type === 'ack' && m.ackId === 3)
    await waitUntil(() => calls.length >= 2, 5000, 'afterCommit calls')
    const ofA = calls.filter(call => call.docId === 'a').flatMap(call => call.updates)
    expect(ofA.map(u => [...u])).toEqual(sentA.map(u => [...u]))
    expect(calls.find(call => call.docId === 'b')?.updates.map(u => [...u])).toEqual([[...sentB]])
    const origins = new Set(calls.map(call => call.origin))
    expect(origins.size).toBe(1)
    const [origin] = origins
    expect(origin).toMatchObject({ kind: 'client', connection: { kind: 'driftless' } })
  })

  it('a hook that never settles or throws changes no ack and no other document, and is logged by name', async () => {
    let pending = 0
    const { relay, logs } = await start({
      afterCommit: ({ docId }) => {
        if (docId === 'hangs') {
          pending++
          return never()
        }
        if (docId === 'throws') throw new Error('afterCommit exploded')
        return undefined
      },
    })
    const client = await connect(relay)
    for (const docId of ['hangs', 'throws', 'fine']) await client.subscribe(docId)
    const doc = new Y.Doc()
    for (let i = 1; i <= 20; i++) {
      expect((await write(client, 'hangs', `h${i}`, i, doc)).type).toBe('ack')
    }
    expect((await write(client, 'throws', 't', 100)).type).toBe('ack')
    expect((await write(client, 'fine', 'f', 101)).type).toBe('ack')
    expect(pending).toBe(20)
    await waitUntil(() => logs.some(line => line['hook'] === 'afterCommit' && line['msg'] === 'hook failed'), 5000, 'the failure log')
    const failure = logs.find(line => line['hook'] === 'afterCommit' && line['msg'] === 'hook failed')!
    expect(failure['docId']).toBe('throws')
    expect(JSON.stringify(failure['err'])).toContain('afterCommit exploded')
    // Everything committed: a second client reads all of it.
    const reader = await connect(relay)
    expect(textOf((await reader.subscribe('hangs')).update)).toHaveLength(20 * 2 + 11)
    expect(textOf((await reader.subscribe('fine')).update)).toBe('f')
  })

  it('caps unsettled calls of a hung hook and says so in the log', async () => {
    const { relay, logs } = await start({ afterCommit: () => never() }, { maxPendingHookCalls: 3 })
    const client = await connect(relay)
    await client.subscribe('d')
    const doc = new Y.Doc()
    for (let i = 1; i <= 5; i++) expect((await write(client, 'd', `${i}`, i, doc)).type).toBe('ack')
    await waitUntil(() => logs.filter(line => line['msg'] === 'hook backlog full; call skipped').length === 2, 5000, 'backlog logs')
    expect(logs.find(line => line['msg'] === 'hook backlog full; call skipped')).toMatchObject({ hook: 'afterCommit', docId: 'd' })
  })
})

describe('onChange', () => {
  it('is debounced per document and gets the merge of the window', async () => {
    const calls: ChangePayload[] = []
    const { relay } = await start({ onChange: payload => { calls.push(payload) } }, { onChangeDebounceMs: 300 })
    const client = await connect(relay)
    await client.subscribe('a')
    await client.subscribe('b')
    const doc = new Y.Doc()
    for (let i = 1; i <= 5; i++) await write(client, 'a', `${i}`, i, doc)
    await write(client, 'b', 'other', 10)
    await waitUntil(() => calls.length === 2, 5000, 'two onChange calls')
    const ofA = calls.find(call => call.docId === 'a')!
    expect(textOf(ofA.update)).toBe('12345')
    expect(textOf(calls.find(call => call.docId === 'b')!.update)).toBe('other')
    // A later change opens a new window.
    await write(client, 'a', '6', 6, doc)
    await waitUntil(() => calls.length === 3, 5000, 'a third call')
    expect(calls[2]!.docId).toBe('a')
    expect(textOf(Y.mergeUpdates([ofA.update, calls[2]!.update]))).toBe('123456')
  })

  it('fires within the max wait even while the document never goes quiet', async () => {
    const calls: ChangePayload[] = []
    let writes = 0
    let writesAtFirstCall = 0
    const { relay } = await start({
      onChange: payload => {
        calls.push(payload)
        writesAtFirstCall ||= writes
      },
    }, { onChangeDebounceMs: 5000, onChangeMaxWaitMs: 500 })
    const client = await connect(relay)
    await client.subscribe('busy')
    const doc = new Y.Doc()
    // A write every 100 ms for 1.5 s: the document is never quiet for 5 s, so only the max wait can fire.
    for (writes = 1; writes <= 15; writes++) {
      await write(client, 'busy', '.', writes, doc)
      await new Promise(resolve => setTimeout(resolve, 100))
    }
    expect(writesAtFirstCall).toBeGreaterThan(0)
    expect(writesAtFirstCall).toBeLessThan(15)
    expect(textOf(calls[0]!.update).length).toBeLessThanOrEqual(writesAtFirstCall)
  })

  it('a throwing onChange is logged and the next window still fires', async () => {
    let calls = 0
    const { relay, logs } = await start({
      onChange: () => {
        calls++
        throw new Error('onChange exploded')
      },
    }, { onChangeDebounceMs: 50 })
    const client = await connect(relay)
    await client.subscribe('a')
    const doc = new Y.Doc()
    expect((await write(client, 'a', '1', 1, doc)).type).toBe('ack')
    await waitUntil(() => calls === 1, 5000, 'first call')
    expect((await write(client, 'a', '2', 2, doc)).type).toBe('ack')
    await waitUntil(() => calls === 2, 5000, 'second call')
    expect(logs.filter(line => line['hook'] === 'onChange' && line['msg'] === 'hook failed')).toHaveLength(2)
  })
})

describe('onLoad', () => {
  const seedOf = (text: string): Uint8Array => {
    const doc = new Y.Doc()
    doc.clientID = 1 // deterministic: seeding twice changes nothing
    doc.getText('t').insert(0, text)
    return Y.encodeStateAsUpdate(doc)
  }

  it('seeds a document storage lacks, commits it, and is not asked again once stored', async () => {
    const storage = createMemoryStorage()
    const asked: string[] = []
    const commits: AfterCommitPayload[] = []
    const hooks: RelayHooks = {
      onLoad: async ({ docId }) => {
        asked.push(docId)
        return docId === 'legacy' ? seedOf('from the old system') : undefined
      },
      afterCommit: payload => { commits.push(payload) },
    }
    const { relay } = await start(hooks, { storage })
    const client = await connect(relay)
    expect(textOf((await client.subscribe('legacy')).update)).toBe('from the old system')
    expect(textOf((await client.subscribe('new')).update)).toBe('')
    const stored = await storage.load('legacy')
    expect(stored).toHaveLength(1)
    expect(textOf(stored[0]!.update)).toBe('from the old system')
    expect(commits.find(c => c.docId === 'legacy')?.origin).toEqual({ kind: 'seed' })
    expect(await storage.load('new')).toEqual([])
    client.close()
    await relay.close()
    relays.length = 0

    const { relay: again } = await start(hooks, { storage })
    const second = await connect(again)
    expect(textOf((await second.subscribe('legacy')).update)).toBe('from the old system')
    expect(asked).toEqual(['legacy', 'new'])
    await again.close()
    await storage.close()
  })

  it('a hanging onLoad delays only its own document, times out, and acks its updates meanwhile', async () => {
    let resolveLate: (update: Uint8Array) => void = () => {}
    const { relay, logs } = await start({
      onLoad: ({ docId }) => (docId === 'slow' ? new Promise<Uint8Array>(resolve => { resolveLate = resolve }) : undefined),
    }, { onLoadTimeoutMs: 1500 })
    const client = await connect(relay)
    client.send({ type: 'subscribe', docId: 'slow', stateVector: new Uint8Array([0]) })
    // Writes to the loading document are committed and acked without waiting for the load.
    expect((await write(client, 'slow', 'early', 1)).type).toBe('ack')
    // Another document is served at once.
    expect(textOf((await client.subscribe('other')).update)).toBe('')
    expect(client.of('sync-step-2').some(m => m.docId === 'slow')).toBe(false)
    const reply = await client.waitFor<Extract<Message, { type: 'sync-step-2' }>>(m => m.type === 'sync-step-2' && m.docId === 'slow')
    expect(textOf(reply.update)).toBe('early')
    expect(logs.some(line => line['hook'] === 'onLoad' && line['msg'] === 'hook timed out; the document opens without a seed')).toBe(true)
    // An answer after the timeout is ignored.
    resolveLate(seedOf('late'))
    const reader = await connect(relay)
    expect(textOf((await reader.subscribe('slow')).update)).toBe('early')
  })

  it('a throwing onLoad or one returning garbage is logged and the document opens empty', async () => {
    const { relay, logs } = await start({
      onLoad: ({ docId }) => {
        if (docId === 'throws') throw new Error('legacy database down')
        return new Uint8Array([1, 2, 3, 4, 5])
      },
    })
    const client = await connect(relay)
    expect(textOf((await client.subscribe('throws')).update)).toBe('')
    expect(textOf((await client.subscribe('garbage')).update)).toBe('')
    expect(logs.find(line => line['hook'] === 'onLoad' && line['msg'] === 'hook failed')?.['docId']).toBe('throws')
    expect(logs.find(line => line['hook'] === 'onLoad' && String(line['msg']).includes('not a Yjs update'))?.['docId']).toBe('garbage')
    expect((await write(client, 'garbage', 'ok', 1)).type).toBe('ack')
  })
})

describe('subscription hooks', () => {
  it('onSubscribe, onUnsubscribe and onDocumentIdle follow the connection and the room', async () => {
    const events: string[] = []
    const seen: SubscriptionPayload[] = []
    const { relay } = await start({
      onSubscribe: payload => {
        seen.push(payload)
        events.push(`subscribe ${payload.docId}`)
      },
      onUnsubscribe: payload => {
        seen.push(payload)
        events.push(`unsubscribe ${payload.docId}`)
      },
      onDocumentIdle: ({ docId }) => { events.push(`idle ${docId}`) },
    })
    const one = await connect(relay)
    const two = await connect(relay)
    await one.subscribe('doc')
    await two.subscribe('doc')
    one.send({ type: 'unsubscribe', docId: 'doc' })
    await waitUntil(() => events.length === 3, 5000, 'unsubscribe')
    two.close()
    await waitUntil(() => events.includes('idle doc'), 5000, 'idle')
    expect(events).toEqual(['subscribe doc', 'subscribe doc', 'unsubscribe doc', 'unsubscribe doc', 'idle doc'])
    expect(seen[0]!.connection).toBe(seen[2]!.connection)
    expect(seen[1]!.connection).toBe(seen[3]!.connection)
    expect(seen[0]!.connection.id).not.toBe(seen[1]!.connection.id)
  })

  it('hanging and throwing subscription hooks leave syncing and acks alone', async () => {
    const { relay, logs } = await start({
      onSubscribe: () => never(),
      onUnsubscribe: () => { throw new Error('onUnsubscribe exploded') },
      onDocumentIdle: () => never(),
    })
    const client = await connect(relay)
    await client.subscribe('a')
    expect((await write(client, 'a', 'x', 1)).type).toBe('ack')
    client.send({ type: 'unsubscribe', docId: 'a' })
    await waitUntil(() => logs.some(line => line['hook'] === 'onUnsubscribe' && line['msg'] === 'hook failed'), 5000, 'log')
    expect(textOf((await client.subscribe('a')).update)).toBe('x')
    expect((await write(client, 'a', 'y', 2)).type).toBe('ack')
  })
})

describe('shutdown', () => {
  it('fires pending onChange windows and does not hang on a hook that never settles', async () => {
    const changed: string[] = []
    const storage: RelayStorage = createMemoryStorage()
    const { relay } = await start({ onChange: ({ docId }) => { changed.push(docId) }, afterCommit: () => never() }, { storage, onChangeDebounceMs: 60_000 })
    const client = await connect(relay)
    await client.subscribe('a')
    await write(client, 'a', 'x', 1)
    await relay.close()
    relays.length = 0
    expect(changed).toEqual(['a'])
    await storage.close()
  })
})

describe('onDelete', () => {
  it('runs once a deletion is committed, after subscribers were told; a throw is logged by name and deletes anyway', async () => {
    const deleted: Array<{ docId: string; tombstoned: boolean }> = []
    const storage = createMemoryStorage()
    const { relay, logs } = await start({
      onDelete: async ({ docId }) => {
        deleted.push({ docId, tombstoned: (await storage.tombstone(docId)) !== null })
        if (docId === 'bad') throw new Error('onDelete exploded')
      },
    }, { storage })
    const client = await connect(relay)
    await client.subscribe('gone')
    expect((await write(client, 'gone', 'x', 1)).type).toBe('ack')
    await relay.deleteDocument('gone')
    await relay.deleteDocument('bad')
    await waitUntil(() => deleted.length === 2, 5_000, 'both onDelete calls')
    expect(deleted).toEqual([{ docId: 'gone', tombstoned: true }, { docId: 'bad', tombstoned: true }])
    await client.waitFor((m) => m.type === 'error' && m.docId === 'gone' && m.code === ErrorCode.documentDeleted)
    await waitUntil(() => logs.some((line) => line['hook'] === 'onDelete'), 5_000, 'the failure logged')
    expect(logs.find((line) => line['hook'] === 'onDelete')).toMatchObject({ msg: 'hook failed', docId: 'bad' })
    expect(await storage.tombstone('bad')).not.toBeNull()
  })
})
