import type { Redis } from 'ioredis'

/** One stream being read: where to continue from, and who gets its entries. */
export interface ReadStream {
  key: string
  /** Id of the last entry handed to `onEntry`; reading continues after it, also after a reconnect. */
  lastId: string
  onEntry(id: string, fields: Buffer[]): void
}

export interface StreamReaderOptions {
  /** Dedicated connection: it spends its life blocked in XREAD. */
  blocking: Redis
  /** Used to interrupt the blocking read (CLIENT UNBLOCK) when the set of streams changes. */
  control: Redis
  blockMs: number
  /** Most entries per stream per read. */
  batch: number
  onError(error: unknown): void
  /** After the blocking connection came back (not its first connect), with the streams being read. */
  onReconnected(streams: readonly ReadStream[]): void
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms))

/**
 * Reads every subscribed stream with one blocking `XREAD` at a time on one connection, re-issued whenever
 * the set changes. Each stream remembers the last id it delivered, so after a disconnect or a Redis
 * restart reading goes on from there and nothing in between is missed.
 */
export class StreamReader {
  private readonly streams = new Map<string, ReadStream>()
  /** Bumped on every change of `streams`; a read issued at an older generation must be interrupted. */
  private generation = 0
  private readingGeneration = -1
  private blocked = false
  private blockingClientId: number | undefined
  private wakeIdle: (() => void) | undefined
  private closed = false
  /** Resolves on close: ioredis never settles a command queued while it reconnects once it is disconnected. */
  private readonly closing: Promise<null>
  private signalClosing: () => void = () => {}
  private readonly loop: Promise<void>

  constructor(private readonly options: StreamReaderOptions) {
    this.closing = new Promise((resolve) => {
      this.signalClosing = () => resolve(null)
    })
    // A new connection has a new client id; CLIENT UNBLOCK must target the current one. Asked on 'ready',
    // which ioredis emits before it re-sends a read cut by the disconnect, so the answer is not queued behind it.
    options.blocking.on('close', () => {
      this.blockingClientId = undefined
    })
    let connectedBefore = false
    options.blocking.on('ready', () => {
      if (connectedBefore) options.onReconnected([...this.streams.values()])
      connectedBefore = true
      options.blocking.client('ID').then(
        (id) => {
          this.blockingClientId = id as number
        },
        () => {},
      )
    })
    this.loop = this.run()
  }

  add(stream: ReadStream): void {
    this.streams.set(stream.key, stream)
    this.changed()
  }

  remove(key: string): void {
    if (this.streams.delete(key)) this.changed()
  }

  async close(): Promise<void> {
    this.closed = true
    this.signalClosing()
    this.changed()
    await this.loop
  }

  private changed(): void {
    this.generation++
    const wake = this.wakeIdle
    this.wakeIdle = undefined
    wake?.()
    void this.interrupt()
  }

  /** Ends the current XREAD early; retried briefly because the read may not have reached Redis yet. */
  private async interrupt(): Promise<void> {
    for (let attempt = 0; attempt < 20; attempt++) {
      if (!this.blocked || this.readingGeneration >= this.generation) return
      const id = this.blockingClientId
      if (id === undefined || this.options.control.status !== 'ready') return // the read fails by itself
      try {
        if ((await this.options.control.client('UNBLOCK', id)) === 1) return
      } catch {
        return
      }
      await sleep(5)
    }
  }

  private async run(): Promise<void> {
    let backoffMs = 50
    while (!this.closed) {
      if (this.streams.size === 0) {
        await new Promise<void>((resolve) => {
          this.wakeIdle = resolve
        })
        continue
      }
      try {
        await this.readOnce()
        backoffMs = 50
      } catch (error) {
        if (this.closed) break
        this.options.onError(error)
        await sleep(backoffMs)
        backoffMs = Math.min(backoffMs * 2, 2000)
      }
    }
  }

  private async readOnce(): Promise<void> {
    const { blocking, blockMs, batch } = this.options
    const streams = [...this.streams.values()]
    this.readingGeneration = this.generation
    this.blocked = true
    let reply: [Buffer, [Buffer, Buffer[]][]][] | null
    try {
      const read = blocking.xreadBuffer(
        'COUNT', batch, 'BLOCK', blockMs,
        'STREAMS', ...streams.map((s) => s.key), ...streams.map((s) => s.lastId),
      )
      read.catch(() => {}) // when `closing` wins the race, nobody awaits it any more
      reply = await Promise.race([read, this.closing])
    } finally {
      this.blocked = false
    }
    if (this.closed) return
    for (const [keyBuffer, entries] of reply ?? []) {
      const key = keyBuffer.toString('utf8')
      const stream = streams.find((s) => s.key === key)
      // Unsubscribed (or subscribed anew, with its own starting point) while the read was in flight.
      if (stream === undefined || this.streams.get(key) !== stream) continue
      for (const [idBuffer, fields] of entries) {
        const id = idBuffer.toString('latin1')
        stream.lastId = id // advance first: an entry that makes `onEntry` throw must not be read again
        try {
          stream.onEntry(id, fields)
        } catch (error) {
          this.options.onError(error)
        }
      }
    }
  }
}
