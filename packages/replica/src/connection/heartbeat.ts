/** Options of the application-level heartbeat (browsers cannot send websocket pings). */
export interface HeartbeatOptions {
  /** Send a `ping` after this long without sending anything, in ms. @default 3000 */
  idleMs?: number
  /** Declare the socket dead after this long without receiving anything, in ms. @default 9000 */
  timeoutMs?: number
}

/**
 * Watches one socket: pings when we have been quiet, and calls `dead` when the relay has been silent too
 * long (a socket can stay OPEN while the network silently drops everything, as Chromium's offline mode does).
 */
export class Heartbeat {
  #lastSent = Date.now()
  #lastReceived = Date.now()
  #nonce = 0
  readonly #timer: ReturnType<typeof setInterval>
  readonly #idle: number
  readonly #timeout: number

  constructor(options: HeartbeatOptions, ping: (nonce: number) => void, dead: () => void) {
    this.#idle = options.idleMs ?? 3_000
    this.#timeout = options.timeoutMs ?? 9_000
    const tick = Math.max(50, Math.min(1_000, Math.floor(this.#idle / 2)))
    this.#timer = setInterval(() => {
      const now = Date.now()
      if (now - this.#lastReceived > this.#timeout) {
        this.stop()
        dead()
        return
      }
      if (now - this.#lastSent >= this.#idle || now - this.#lastReceived >= this.#idle) {
        this.#nonce = (this.#nonce + 1) % 0x7fffffff
        ping(this.#nonce)
      }
    }, tick)
  }

  sent(): void {
    this.#lastSent = Date.now()
  }

  received(): void {
    this.#lastReceived = Date.now()
  }

  stop(): void {
    clearInterval(this.#timer)
  }
}
