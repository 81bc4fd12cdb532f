/** Thrown when a probe's latency is asked for before every client saw it, or a probe is recorded twice. */
export class ProbeError extends Error {
  readonly code: 'incomplete' | 'duplicate'
  constructor(code: 'incomplete' | 'duplicate', message: string) {
    super(message)
    this.name = 'ProbeError'
    this.code = code
  }
}

/**
 * Edit→seen-by-all latency of probe edits: when each probe was made, and when each of `clients` clients
 * first saw it (the writer included, which sees its own edit at once). Times are `performance.now()` values.
 */
export class SeenByAll {
  readonly #sentAt = new Map<number, number>()
  readonly #seenAt = new Map<number, Map<number, number>>()

  constructor(readonly clients: number) {}

  /** Records that probe `probe` was made at `at`. */
  sent(probe: number, at: number): void {
    if (this.#sentAt.has(probe)) throw new ProbeError('duplicate', `probe ${probe} sent twice`)
    this.#sentAt.set(probe, at)
  }

  /** Records that client `client` saw probe `probe` at `at`; later sightings (a re-delivery) are ignored. */
  seen(probe: number, client: number, at: number): void {
    const byClient = this.#seenAt.get(probe) ?? new Map<number, number>()
    this.#seenAt.set(probe, byClient)
    if (!byClient.has(client)) byClient.set(client, at)
  }

  /** Whether the probe was sent and every client has seen it. */
  complete(probe: number): boolean {
    return this.#sentAt.has(probe) && (this.#seenAt.get(probe)?.size ?? 0) >= this.clients
  }

  /** Time from sending the probe until the last client saw it; throws ProbeError('incomplete') before that. */
  latency(probe: number): number {
    const sentAt = this.#sentAt.get(probe)
    const seen = this.#seenAt.get(probe)
    if (sentAt === undefined || !seen || seen.size < this.clients) throw new ProbeError('incomplete', `probe ${probe} not seen by all ${this.clients} clients`)
    return Math.max(...seen.values()) - sentAt
  }
}
