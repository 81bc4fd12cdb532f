import fc from 'fast-check'
import * as Y from 'yjs'
import { describe, expect, it } from 'vitest'
import { canonicalJson, compareEvents, defineEvent, defineProjection, hashString, openEventLog, stateHash } from '../src/index.js'
import { encodeEvent, encodeTick, decodeEntry, type Entry } from '../src/envelope.js'
import { streamsOf } from '../src/streams.js'

const added = defineEvent('added', { schema: (d): d is number => typeof d === 'number' })

/** Order-sensitive, with an invariant (a running total never above 50), so a wrong order shows. */
const total = defineProjection({
  name: 'total',
  initial: { sum: 0, trail: [] as number[] },
  events: [added],
  reduce: (state, event) => ({ sum: state.sum + event.data, trail: [...state.trail, event.data] }),
  invariants: { atMost50: (state) => state.sum <= 50 },
})

type Raw = { stream: string; lamport: number; value: number }

const rawEvents = fc.array(
  fc.record({ stream: fc.constantFrom('a.1', 'b.1', 'c.1'), lamport: fc.integer({ min: 1, max: 30 }), value: fc.integer({ min: -5, max: 20 }) }),
  { maxLength: 40 },
)

/** Appends events to their streams in `batches` transactions (streams stay append-only; lamports sorted per stream). */
function write(doc: Y.Doc, events: Raw[], batches: number[][]): void {
  const perStream = new Map<string, Raw[]>()
  for (const event of events) perStream.set(event.stream, [...(perStream.get(event.stream) ?? []), event])
  for (const list of perStream.values()) list.sort((x, y) => x.lamport - y.lamport)
  const cursors = new Map<string, number>()
  for (const batch of batches) {
    doc.transact(() => {
      for (const streamIndex of batch) {
        const stream = [...perStream.keys()][streamIndex % Math.max(1, perStream.size)]
        if (stream === undefined) continue
        const list = perStream.get(stream)!
        const next = cursors.get(stream) ?? 0
        if (next >= list.length) continue
        let array = streamsOf(doc).get(stream)
        if (array === undefined) {
          array = new Y.Array<Entry>()
          streamsOf(doc).set(stream, array)
        }
        const event = list[next]!
        array.push([encodeEvent(event.lamport, 'added', 1, event.value)])
        cursors.set(stream, next + 1)
      }
    })
  }
  // Whatever the batches left out.
  doc.transact(() => {
    for (const [stream, list] of perStream) {
      let array = streamsOf(doc).get(stream)
      if (array === undefined) { array = new Y.Array<Entry>(); streamsOf(doc).set(stream, array) }
      for (const event of list.slice(cursors.get(stream) ?? 0)) array.push([encodeEvent(event.lamport, 'added', 1, event.value)])
    }
  })
}

describe('projection', () => {
  it('folding incrementally with late events and rewinds equals folding everything at once', async () => {
    await fc.assert(fc.asyncProperty(rawEvents, fc.array(fc.array(fc.nat({ max: 2 }), { maxLength: 3 }), { maxLength: 40 }), async (events, batches) => {
      const incremental = new Y.Doc()
      const log = await openEventLog(incremental, { events: [added], heartbeatMs: false, snapshotEvery: 3 })
      const projection = log.projection(total)
      write(incremental, events, batches)
      const once = new Y.Doc()
      Y.applyUpdate(once, Y.encodeStateAsUpdate(incremental))
      const fresh = (await openEventLog(once, { events: [added], heartbeatMs: false })).projection(total)
      expect(projection.state).toEqual(fresh.state)
      expect(projection.stateHash).toBe(fresh.stateHash)
      expect([...projection.rejected].sort()).toEqual([...fresh.rejected].sort())
      // Reference: sort by (lamport, stream, seq) and fold by hand.
      const ordered = log.events()
      for (let i = 1; i < ordered.length; i++) expect(compareEvents(ordered[i - 1]!, ordered[i]!)).toBeLessThan(0)
      let sum = 0
      const trail: number[] = []
      for (const event of ordered) if (sum + (event.data as number) <= 50) { sum += event.data as number; trail.push(event.data as number) }
      expect(projection.state).toEqual({ sum, trail })
      await log.close()
    }), { numRuns: 80 })
  })

  it('exposes the stable state (below the watermark) next to the tentative one, and notifies subscribers', async () => {
    const doc = new Y.Doc()
    const log = await openEventLog(doc, { events: [added], heartbeatMs: false, snapshotEvery: 2 })
    const projection = log.projection(total)
    let calls = 0
    const unsubscribe = projection.subscribe(() => calls++)
    // Another device's stream, open at lamport 2: nothing above 2 is stable.
    const other = new Y.Array<Entry>()
    doc.transact(() => { streamsOf(doc).set('other.1', other); other.push([encodeTick(2)]) })
    for (const value of [1, 2, 3, 4, 5]) log.emit(added, value)
    expect(projection.state.sum).toBe(15)
    expect(projection.stableState).toEqual({ sum: 0, trail: [] }) // own events start at lamport 3 (saw the tick at 2)
    doc.transact(() => other.push([encodeTick(5)]))
    expect(projection.stableCount).toBe(3)
    expect(projection.stableState).toEqual({ sum: 6, trail: [1, 2, 3] })
    expect(projection.stableHash).toBe(stateHash({ sum: 6, trail: [1, 2, 3] }))
    expect(calls).toBeGreaterThanOrEqual(6)
    unsubscribe()
    const before = calls
    log.emit(added, 1)
    expect(calls).toBe(before)
    await log.close()
  })
})

describe('hash and envelope', () => {
  it('hashes canonical JSON: key order does not matter, values do', () => {
    expect(canonicalJson({ b: 1, a: [1, { d: undefined, c: 'x' }] })).toBe('{"a":[1,{"c":"x"}],"b":1}')
    expect(stateHash({ a: 1, b: 2 })).toBe(stateHash({ b: 2, a: 1 }))
    expect(stateHash({ a: 1 })).not.toBe(stateHash({ a: 2 }))
    expect(hashString('')).toMatch(/^[0-9a-f]{16}$/)
  })

  it('decodes what it encodes and ignores malformed entries', () => {
    expect(decodeEntry(encodeEvent(3, 't', 1, { x: 1 }))).toEqual({ kind: 'event', lamport: 3, type: 't', v: 1, data: { x: 1 }, compensates: undefined })
    expect(decodeEntry(encodeEvent(3, 't', 1, null, 's:1'))).toMatchObject({ compensates: 's:1' })
    expect(decodeEntry(encodeTick(4))).toEqual({ kind: 'tick', lamport: 4 })
    for (const bad of ['x', -1, 1.5, [], ['a'], [1, 2, 3], [1, 't', 'v', null], { lamport: 1 }]) expect(decodeEntry(bad)).toBeUndefined()
  })

  it('adds at most 32 bytes per event to the encoded document (12-character type names)', async () => {
    const count = 2_000
    const renamed = defineEvent('card.renamed', { schema: (_d): _d is object => true })
    const withEvents = new Y.Doc()
    const log = await openEventLog(withEvents, { heartbeatMs: false })
    const dataOnly = new Y.Doc()
    for (let i = 0; i < count; i++) {
      log.emit(renamed, { card: `c${i}` })
      dataOnly.getArray('data').push([{ card: `c${i}` }])
    }
    const perEvent = (Y.encodeStateAsUpdate(withEvents).length - Y.encodeStateAsUpdate(dataOnly).length) / count
    expect(perEvent).toBeLessThanOrEqual(32)
    await log.close()
  })
})
