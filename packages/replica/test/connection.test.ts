import { afterEach, describe, expect, it } from 'vitest'
import * as Y from 'yjs'
import { waitUntil } from '@driftless/testkit/support'
import { Backoff } from '../src/connection/backoff.js'
import { Multiplexer } from '../src/connection/multiplexer.js'
import { RelayConnection, type ConnectionState, type RelayDocMessage } from '../src/connection/socket.js'
import { FakeRelay, FakeSocket } from './fake-relay.js'

describe('backoff', () => {
  it('draws full-jitter delays under an exponentially growing ceiling, capped', () => {
    let draw = 0.999
    const backoff = new Backoff({ baseMs: 100, capMs: 1_000 }, () => draw)
    expect([1, 2, 3, 4, 5, 6].map(() => backoff.next())).toEqual([99, 199, 399, 799, 999, 999])
    draw = 0
    expect(backoff.next()).toBe(0)
    backoff.reset()
    draw = 0.5
    expect(backoff.next()).toBe(50)
  })
})

describe('multiplexer', () => {
  let relay: FakeRelay
  let mux: Multiplexer | undefined
  afterEach(() => {
    mux?.destroy()
    relay.dispose()
  })

  const client = (m: Multiplexer, docId: string) => {
    const received: RelayDocMessage[] = []
    const states: ConnectionState[] = []
    const port = m.attach(docId, { state: (s) => states.push(s), message: (msg) => received.push(msg), error: () => undefined })
    return { port, received, states }
  }

  it('carries several documents on one socket and routes each ack to the client that chose its id', async () => {
    relay = new FakeRelay()
    mux = new Multiplexer(new RelayConnection({ urls: [relay.url], WebSocket: FakeSocket }))
    const a = client(mux, 'doc-a')
    const b = client(mux, 'doc-b')
    await waitUntil(() => a.states.includes('open') && b.states.includes('open'), 5_000, 'open')
    for (const [c, docId] of [[a, 'doc-a'], [b, 'doc-b']] as const) {
      c.port.send({ type: 'subscribe', docId, stateVector: Y.encodeStateVector(new Y.Doc()) })
    }
    const update = (text: string) => {
      const doc = new Y.Doc()
      doc.getText('t').insert(0, text)
      return Y.encodeStateAsUpdate(doc)
    }
    // Both clients pick ack id 1: the multiplexer keeps them apart.
    a.port.send({ type: 'update', docId: 'doc-a', update: update('a'), ackId: 1 })
    b.port.send({ type: 'update', docId: 'doc-b', update: update('b'), ackId: 1 })
    await waitUntil(() => a.received.some((m) => m.type === 'ack') && b.received.some((m) => m.type === 'ack'), 5_000, 'acks')
    expect(a.received.filter((m) => m.type === 'ack')).toEqual([{ type: 'ack', docId: 'doc-a', ackId: 1 }])
    expect(b.received.filter((m) => m.type === 'ack')).toEqual([{ type: 'ack', docId: 'doc-b', ackId: 1 }])
    expect(relay.connectionsOpened).toBe(1)
    expect(relay.text('doc-a')).toBe('a')
    expect(relay.text('doc-b')).toBe('b')
  })

  it('closes the socket after the last client leaves', async () => {
    relay = new FakeRelay()
    mux = new Multiplexer(new RelayConnection({ urls: [relay.url], WebSocket: FakeSocket }))
    const a = client(mux, 'doc-a')
    await waitUntil(() => a.states.includes('open'), 5_000, 'open')
    a.port.close()
    await waitUntil(() => relay.conns.size === 0, 5_000, 'socket closed')
  })
})
