import { describe, expect, it } from 'vitest'
import { ProbeError, SeenByAll } from '../src/seen-by-all.js'

describe('SeenByAll', () => {
  it('measures from the edit to the last client that saw it', () => {
    const probes = new SeenByAll(3)
    probes.sent(1, 100)
    probes.seen(1, 0, 100)
    probes.seen(1, 2, 104)
    expect(probes.complete(1)).toBe(false)
    probes.seen(1, 1, 109)
    expect(probes.complete(1)).toBe(true)
    expect(probes.latency(1)).toBe(9)
  })

  it('keeps the first sighting when an update is delivered again', () => {
    const probes = new SeenByAll(2)
    probes.sent(7, 10)
    probes.seen(7, 0, 10)
    probes.seen(7, 1, 15)
    probes.seen(7, 1, 50)
    expect(probes.latency(7)).toBe(5)
  })

  it('counts sightings before the send is recorded only once sent', () => {
    const probes = new SeenByAll(1)
    probes.seen(2, 0, 5)
    expect(probes.complete(2)).toBe(false)
    probes.sent(2, 4)
    expect(probes.latency(2)).toBe(1)
  })

  it('refuses an incomplete probe and a probe sent twice', () => {
    const probes = new SeenByAll(2)
    probes.sent(3, 0)
    probes.seen(3, 0, 0)
    expect(() => probes.latency(3)).toThrow(ProbeError)
    expect(() => probes.latency(4)).toThrow(ProbeError)
    expect(() => probes.sent(3, 1)).toThrow(ProbeError)
  })
})
