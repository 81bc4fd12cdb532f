import { describe, expect, it } from 'vitest'
import { compareStreamIds, streamIdAt, streamIdBefore } from '../src/broker/redis-ids.js'

describe('stream ids', () => {
  it('streamIdAt reads on from before the first entry of its millisecond, and after the one before', () => {
    const at = 1_796_214_192_101
    expect(compareStreamIds(`${at}-0`, streamIdAt(at))).toBeGreaterThan(0)
    expect(compareStreamIds(`${at - 1}-7`, streamIdAt(at))).toBeLessThan(0)
    expect(streamIdAt(0)).toBe('0-0')
  })

  it('streamIdBefore goes back the replay window, and not at all for a window of 0', () => {
    expect(streamIdBefore('5000-3', 2000)).toBe('3000-0')
    expect(streamIdBefore('5000-3', 0)).toBe('5000-3')
    expect(streamIdBefore('1000-0', 2000)).toBe('0-0')
  })
})
