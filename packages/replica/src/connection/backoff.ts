/** Exponential backoff with full jitter: a random delay in [0, min(cap, base · 2^attempt)). */
export interface BackoffOptions {
  /** First step's ceiling, in ms. @default 250 */
  baseMs?: number
  /** Largest delay, in ms. @default 10000 */
  capMs?: number
}

export class Backoff {
  #attempt = 0
  readonly #base: number
  readonly #cap: number
  readonly #random: () => number
  constructor(options: BackoffOptions = {}, random: () => number = Math.random) {
    this.#random = random
    this.#base = options.baseMs ?? 250
    this.#cap = options.capMs ?? 10_000
  }

  /** The delay before the next attempt; each call widens the window. */
  next(): number {
    const ceiling = Math.min(this.#cap, this.#base * 2 ** this.#attempt)
    this.#attempt = Math.min(this.#attempt + 1, 30)
    return Math.floor(this.#random() * ceiling)
  }

  reset(): void {
    this.#attempt = 0
  }
}
