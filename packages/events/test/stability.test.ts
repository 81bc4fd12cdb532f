import * as Y from 'yjs'
import { describe, expect, it } from 'vitest'
import { waitUntil } from '@driftless/testkit/support'
import { defineEvent, memoryCheckpoints, openEventLog, watermarkOf } from '../src/index.js'
import { createNetwork } from './network.js'

const noted = defineEvent('noted', { schema: (d): d is string => typeof d === 'string' })

describe('watermark', () => {
  it('is the lowest bound over devices: open streams by their last entry, closed ones by their highest', () => {
    const status = (lastLamport: number, closed = false, retired = false) => ({ lastLamport, closed, retired })
    expect(watermarkOf(new Map())).toBe(Infinity)
    expect(watermarkOf(new Map([['a.1', status(5)], ['b.1', status(3)]]))).toBe(3)
    // Device a reloaded: its old stream closed at 9, the new one is open at 4 (it has not caught up).
    expect(watermarkOf(new Map([['a.1', status(9, true)], ['a.2', status(4)], ['b.1', status(7)]]))).toBe(4)
    // Every stream of a closed: a can still come back, above 9.
    expect(watermarkOf(new Map([['a.1', status(9, true)], ['b.1', status(12)]]))).toBe(9)
    // a left or was retired: it bounds nothing.
    expect(watermarkOf(new Map([['a.1', status(9, true, true)], ['b.1', status(12)]]))).toBe(12)
  })

  it('advances as every replica ticks, and an event is final once at or below it', async () => {
    const network = createNetwork(2, 5)
    const [a, b] = await Promise.all(network.docs.map((doc) => openEventLog(doc, { events: [noted], heartbeatMs: false })))
    if (!a || !b) throw new Error('two logs')
    network.flush()
    const first = a.emit(noted, 'first')
    network.flush()
    const event = b.events().find((e) => e.id === first)!
    expect(b.isStable(event)).toBe(false) // b's stream is still at 0: b might write before it
    b.tick()
    network.flush()
    expect(a.watermark).toBe(1)
    expect(b.isStable(event)).toBe(true)
    expect(a.isStable(event)).toBe(true)
    await Promise.all([a.close(), b.close()])
  })

  it('writes ticks by itself after seeing a higher lamport (heartbeat)', async () => {
    const network = createNetwork(2, 9)
    const [a, b] = await Promise.all(network.docs.map((doc) => openEventLog(doc, { events: [noted], heartbeatMs: 5 })))
    if (!a || !b) throw new Error('two logs')
    a.emit(noted, 'x')
    network.flush()
    // Only the heartbeat ticks, delivered as they are written, can move both watermarks past the note.
    await waitUntil(() => {
      network.flush()
      return a.watermark === 1 && b.watermark === 1
    }, 5_000, 'both watermarks at 1')
    await Promise.all([a.close(), b.close()])
  })

  it('a retired stream stops holding the watermark; its entries beyond the cut are ignored everywhere', async () => {
    const network = createNetwork(2, 13)
    const storeA = memoryCheckpoints()
    const [a, b] = await Promise.all([
      openEventLog(network.docs[0]!, { events: [noted], heartbeatMs: false, checkpoints: storeA }),
      openEventLog(network.docs[1]!, { events: [noted], heartbeatMs: false }),
    ])
    if (!a || !b) throw new Error('two logs')
    a.emit(noted, 'kept')
    network.flush()
    network.partition((doc) => doc)
    const late = a.emit(noted, 'after the cut') // b has not seen it when it retires a's stream
    b.emit(noted, 'b1')
    expect(b.watermark).toBe(1) // a's stream, as b knows it, is at 1
    b.retireStream(a.stream)
    expect(b.watermark).toBe(2) // only b's own stream bounds it now
    network.flush()
    for (const log of [a, b]) {
      expect(log.events().map((e) => e.data)).toEqual(['kept', 'b1'])
      expect(log.events().some((e) => e.id === late)).toBe(false)
    }
    // The retired writer continues on a fresh stream of the same device.
    const retired = a.stream
    const next = a.emit(noted, 'again')
    expect(a.stream).not.toBe(retired)
    expect(next.startsWith(`${a.deviceId}.`)).toBe(true)
    network.flush()
    expect(b.events().map((e) => e.data)).toEqual(['kept', 'b1', 'again'])
    await Promise.all([a.close(), b.close()])
  })

  it('a closed stream releases the watermark for good only when its device leaves', async () => {
    const doc = new Y.Doc()
    const stays = await openEventLog(doc, { heartbeatMs: false, checkpoints: memoryCheckpoints() })
    const other = await openEventLog(doc, { heartbeatMs: false })
    stays.emit(noted, 'x')
    other.tick()
    await stays.close({ leave: false })
    other.emit(noted, 'y')
    other.tick()
    expect(other.watermark).toBe(1) // the closed device may come back above 1, not below
    const leaves = await openEventLog(doc, { heartbeatMs: false })
    await leaves.close({ leave: true })
    expect(other.watermark).toBe(1)
    await other.close()
  })
})

describe('long sessions', () => {
  it('continue on a new stream after maxStreamLength entries, keeping order and stability', async () => {
    const network = createNetwork(2, 17)
    const [a, b] = await Promise.all(network.docs.map((doc) => openEventLog(doc, { events: [noted], heartbeatMs: false, maxStreamLength: 4 })))
    if (!a || !b) throw new Error('two logs')
    const first = a.stream
    const ids = Array.from({ length: 10 }, (_, i) => a.emit(noted, `e${i}`))
    expect(a.stream).not.toBe(first)
    expect(new Set(ids.map((id) => id.slice(0, id.lastIndexOf(':')))).size).toBe(4) // tick + 3 events per stream, then a close
    network.flush()
    b.tick()
    network.flush()
    expect(b.events().map((event) => event.data)).toEqual(Array.from({ length: 10 }, (_, i) => `e${i}`))
    // Closed streams of a's session do not hold the watermark; its open stream's last event does.
    expect(b.watermark).toBe(10)
    expect(b.events().every((event) => b.isStable(event))).toBe(true)
    await Promise.all([a.close(), b.close()])
  })
})
