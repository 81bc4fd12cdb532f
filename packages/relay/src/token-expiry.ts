/** setTimeout's longest delay; a later expiry is reached in steps. */
const MAX_TIMER_MS = 2 ** 31 - 1

/** Calls `onExpired` once a token's `exp` (seconds since the epoch) has passed; `clear` stops it. */
export class TokenExpiry {
  #timer: NodeJS.Timeout | null = null

  /** Replaces any earlier expiry; a time already past calls `onExpired` at once. */
  arm(expiresAt: number, onExpired: () => void): void {
    this.clear()
    const delay = expiresAt * 1000 - Date.now()
    if (delay <= 0) return onExpired()
    this.#timer = setTimeout(() => {
      this.#timer = null
      this.arm(expiresAt, onExpired)
    }, Math.min(delay, MAX_TIMER_MS))
  }

  clear(): void {
    if (this.#timer !== null) clearTimeout(this.#timer)
    this.#timer = null
  }
}
