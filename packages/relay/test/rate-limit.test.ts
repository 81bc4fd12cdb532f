import { describe, expect, it } from 'vitest'
import { RateLimiter } from '../src/rate-limit.js'

const limiterAt = (rate: number) => {
  const clock = { now: 0 }
  return { clock, limiter: new RateLimiter(rate, 5000, () => clock.now) }
}

describe('RateLimiter', () => {
  it('lets a burst of `rate` messages through, then drops', () => {
    const { limiter } = limiterAt(10)
    const taken = Array.from({ length: 12 }, () => limiter.take())
    expect(taken.filter(Boolean)).toHaveLength(10)
    expect(taken.slice(10)).toEqual([false, false])
  })

  it('refills at `rate` per second', () => {
    const { clock, limiter } = limiterAt(10)
    for (let i = 0; i < 10; i++) limiter.take()
    expect(limiter.take()).toBe(false)
    clock.now += 300
    expect([limiter.take(), limiter.take(), limiter.take(), limiter.take()]).toEqual([true, true, true, false])
  })

  it('never holds more than one burst, however long it was idle', () => {
    const { clock, limiter } = limiterAt(5)
    clock.now += 60_000
    expect(Array.from({ length: 6 }, () => limiter.take()).filter(Boolean)).toHaveLength(5)
  })

  it('calls the flood sustained once more than a second of messages was dropped within the window', () => {
    const { clock, limiter } = limiterAt(10)
    for (let i = 0; i < 20; i++) limiter.take()
    expect(limiter.sustained).toBe(false) // 10 dropped: not more than `rate`
    limiter.take()
    expect(limiter.sustained).toBe(true)
    clock.now += 6000 // a new window forgets old drops
    for (let i = 0; i < 11; i++) limiter.take()
    expect(limiter.sustained).toBe(false)
  })
})
