import { decodeMessage } from '@driftless/protocol'
import { afterEach, describe, expect, it, vi } from 'vitest'
import * as Y from 'yjs'
import { FANOUT_INTERVAL_MS, Room, type Subscriber } from '../src/room.js'

/** A subscriber that decodes what the room writes to it. */
const listener = (): Subscriber & { updates: Uint8Array[] } => {
  const updates: Uint8Array[] = []
  return {
    kind: 'driftless',
    updates,
    send() {},
    documentDeleted() {},
    sendWire(wire) {
      const headerLength = wire[1]! < 126 ? 2 : wire[1] === 126 ? 4 : 10
      const decoded = decodeMessage(wire.subarray(headerLength))
      if (decoded.ok && decoded.message.type === 'update') updates.push(decoded.message.update)
    },
  }
}

const edit = (text: string): Uint8Array => {
  const doc = new Y.Doc()
  doc.getText('t').insert(0, text)
  return Y.encodeStateAsUpdate(doc)
}

const textOf = (updates: Uint8Array[]): string => {
  const doc = new Y.Doc()
  for (const update of updates) Y.applyUpdate(doc, update)
  return doc.getText('t').toString()
}

const endOfTurn = (): Promise<void> => new Promise(resolve => setImmediate(resolve))

describe('room fan-out', () => {
  it('sends the updates of one turn as one merged update per subscriber', async () => {
    const room = new Room('d')
    const [a, b, c] = [listener(), listener(), listener()]
    for (const s of [a, b, c]) room.subscribers.add(s)
    room.add(edit('x'), a)
    room.add(edit('y'), b)
    room.add(edit('z'), a)
    expect(c.updates).toHaveLength(0)
    await endOfTurn()
    for (const s of [a, b, c]) expect(s.updates).toHaveLength(1)
    expect(textOf(c.updates).split('').sort().join('')).toBe('xyz')
  })

  it('does not echo a turn whose updates all came from one subscriber back to it', async () => {
    const room = new Room('d')
    const [a, b] = [listener(), listener()]
    room.subscribers.add(a).add(b)
    room.add(edit('x'), a)
    room.add(edit('y'), a)
    await endOfTurn()
    expect(a.updates).toHaveLength(0)
    expect(textOf(b.updates).split('').sort().join('')).toBe('xy')
  })

  it('sends updates one by one when Yjs cannot merge them, and keeps going', async () => {
    const room = new Room('d')
    const [a, b] = [listener(), listener()]
    room.subscribers.add(a).add(b)
    const unmergeable = [new Uint8Array([1, 1, 1, 1]), new Uint8Array([7, 7])]
    expect(() => Y.mergeUpdates(unmergeable)).toThrow()
    const fine = edit('z')
    for (const update of unmergeable) room.add(update, a)
    room.add(fine, null)
    await endOfTurn()
    expect(b.updates.map(u => [...u])).toEqual([...unmergeable, fine].map(u => [...u]))
    expect(a.updates.map(u => [...u])).toEqual([[...fine]])
  })

  it('sends queued content before presence, so presence never points at content not yet sent', () => {
    const room = new Room('d')
    const order: string[] = []
    const watcher: Subscriber = {
      kind: 'driftless',
      send() {},
      documentDeleted() {},
      sendWire(wire) {
        const decoded = decodeMessage(wire.subarray(2))
        if (decoded.ok) order.push(decoded.message.type)
      },
    }
    room.subscribers.add(watcher)
    room.add(edit('x'), null)
    room.broadcastAwareness(new Uint8Array([0]), null)
    expect(order).toEqual(['update', 'awareness'])
  })
})

describe('room fan-out pacing', () => {
  afterEach(() => { vi.useRealTimers() })

  it('sends a busy document at most every few milliseconds, and a quiet one at the end of the turn', () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'setImmediate', 'clearImmediate', 'performance'] })
    const room = new Room('d')
    const [a, c] = [listener(), listener()]
    room.subscribers.add(a).add(c)
    room.add(edit('x'), a)
    vi.advanceTimersToNextTimer() // the end of the turn
    expect(c.updates).toHaveLength(1)
    room.add(edit('y'), a)
    vi.advanceTimersByTime(1)
    room.add(edit('z'), a)
    vi.advanceTimersByTime(1)
    expect(c.updates).toHaveLength(1)
    vi.advanceTimersByTime(FANOUT_INTERVAL_MS)
    expect(c.updates).toHaveLength(2)
    expect(textOf(c.updates.slice(1)).split('').sort().join('')).toBe('yz')
    // Long after, an edit leaves at the end of its turn again.
    vi.advanceTimersByTime(1000)
    room.add(edit('w'), a)
    vi.advanceTimersToNextTimer()
    expect(c.updates).toHaveLength(3)
  })

  it('holds a busy document\'s fan-out for the commit that carries it, and sends it one interval late without one', () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'setImmediate', 'clearImmediate', 'performance'] })
    let committing = true
    const room = new Room('d', undefined, undefined, () => committing)
    const [a, c] = [listener(), listener()]
    room.subscribers.add(a).add(c)
    room.add(edit('x'), a)
    vi.advanceTimersToNextTimer() // a quiet document: the end of the turn, commit or not
    expect(c.updates).toHaveLength(1)
    room.add(edit('y'), a)
    vi.advanceTimersByTime(FANOUT_INTERVAL_MS)
    expect(c.updates).toHaveLength(1)
    room.flushOutbox() // the commit landed (Rooms.fanOutNow)
    expect(textOf(c.updates.slice(1))).toBe('y')
    // A commit slower than an interval holds the fan-out one interval more, no longer.
    room.add(edit('z'), a)
    vi.advanceTimersByTime(2 * FANOUT_INTERVAL_MS - 1)
    expect(c.updates).toHaveLength(2)
    vi.advanceTimersByTime(1)
    expect(textOf(c.updates.slice(2))).toBe('z')
    // With nothing being committed (updates from another node), a busy document keeps the plain pacing.
    committing = false
    room.add(edit('w'), a)
    vi.advanceTimersByTime(FANOUT_INTERVAL_MS)
    expect(textOf(c.updates.slice(3))).toBe('w')
  })
})

describe('room state', () => {
  it('holds every accepted update, whatever the number, merged', () => {
    const room = new Room('d')
    const base = edit('base ')
    room.finishLoad(base)
    const writers = [new Y.Doc(), new Y.Doc(), new Y.Doc()]
    const expected = new Y.Doc()
    Y.applyUpdate(expected, base)
    let accepted = base.length
    for (let i = 0; i < 1000; i++) {
      const writer = writers[i % writers.length]!
      const before = Y.encodeStateVector(writer)
      writer.getText('t').insert(writer.getText('t').length, String.fromCharCode(97 + (i % 26)))
      const update = Y.encodeStateAsUpdate(writer, before)
      room.add(update, null)
      // Fan-outs of ten: their merges go into the tail, which folds them as it grows.
      if (i % 10 === 9) room.flushOutbox()
      accepted += update.length
      Y.applyUpdate(expected, update)
    }
    // Merging never holds more than the updates themselves did.
    expect(room.state().length).toBeLessThanOrEqual(accepted)
    expect(textOf([room.state()])).toBe(expected.getText('t').toString())
    expect([...room.stateVector()]).toEqual([...Y.encodeStateVector(expected)])
  })
})
