/**
 * A token bucket per connection: `rate` messages per second, bursts up to `rate`. `sustained` turns true
 * once a whole second's worth of messages was dropped within the last window, which the relay answers by
 * closing the connection (4005) instead of refusing messages one by one forever.
 */
const monotonicNow = (): number => performance.now()

export class RateLimiter {
  private tokens: number
  private last: number
  private windowStart: number
  private droppedInWindow = 0

  constructor(
    private readonly rate: number,
    private readonly windowMs = 5000,
    private readonly clock: () => number = monotonicNow,
  ) {
    this.tokens = rate
    this.last = this.windowStart = clock()
  }

  /** Takes one token; false when the message must be dropped. */
  take(): boolean {
    const now = this.clock()
    this.tokens = Math.min(this.rate, this.tokens + ((now - this.last) * this.rate) / 1000)
    this.last = now
    if (this.tokens >= 1) {
      this.tokens -= 1
      return true
    }
    if (now - this.windowStart > this.windowMs) {
      this.windowStart = now
      this.droppedInWindow = 0
    }
    this.droppedInWindow++
    return false
  }

  get sustained(): boolean {
    return this.droppedInWindow > this.rate
  }
}
