import * as Y from 'yjs'

/** Probe writes sent and when each was first seen by each observer, for the latency of one step. */
export class ProbeLog {
  /** `${client}:${clock}` → when it was written. */
  private readonly sent = new Map<string, number>()
  /** Per observer: keys already seen, with their latency. */
  private readonly seen: Map<string, number>[]

  constructor(observers: number) {
    this.seen = Array.from({ length: observers }, () => new Map<string, number>())
  }

  wrote(client: number, clock: number, at: number): void {
    this.sent.set(`${client}:${clock}`, at)
  }

  /** Observer `observer` received `length` clocks of `client` from `clock` at `at`. */
  observed(observer: number, client: number, clock: number, length: number, at: number): void {
    const seen = this.seen[observer]!
    for (let c = clock; c < clock + length; c++) {
      const key = `${client}:${c}`
      const sentAt = this.sent.get(key)
      if (sentAt !== undefined && !seen.has(key)) seen.set(key, at - sentAt)
    }
  }

  /** One latency per probe write and observer that saw it, and how many pairs never did. */
  latencies(): { latencies: number[]; unseen: number } {
    const latencies: number[] = []
    let unseen = 0
    for (const key of this.sent.keys()) {
      for (const seen of this.seen) {
        const latency = seen.get(key)
        if (latency === undefined) unseen++
        else latencies.push(latency)
      }
    }
    return { latencies, unseen }
  }
}

/** A probe: a real Y.Doc whose every write sets one key, and hands the update to `send`. */
export class Probe {
  readonly doc = new Y.Doc()
  private sequence = 0

  constructor(private readonly send: (update: Uint8Array) => void) {
    this.doc.on('update', (update: Uint8Array) => this.send(update))
  }

  get client(): number {
    return this.doc.clientID
  }

  /** Writes the next probe value; returns the clock of the item it made. */
  write(): number {
    const clock = Y.getState(this.doc.store, this.doc.clientID)
    this.doc.getMap('probe').set('key', ++this.sequence)
    return clock
  }
}
