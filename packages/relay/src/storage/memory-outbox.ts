import type { NewOutboxEntry, OutboxEntry, RelayOutbox } from './outbox-types.js'

interface Row extends OutboxEntry {
  leaseUntil: number
  started: boolean
}

/** The memory storage's outbox: entries live as long as the process. */
export class MemoryOutbox implements RelayOutbox {
  private readonly rows = new Map<number, Row>()
  /** Entries not claimed yet, by what they announce: the ones that absorb newer ones. */
  private readonly waiting = new Map<string, number>()
  private nextId = 1

  constructor(private readonly assertOpen: () => void) {}

  /** Writes entries; called inside the memory storage's `append`, which makes it part of that commit. */
  add(entries: readonly NewOutboxEntry[]): void {
    for (const entry of entries) {
      const key = keyOf(entry)
      if (this.waiting.has(key)) continue
      const id = this.nextId++
      this.rows.set(id, { ...entry, id, attempts: 0, leaseUntil: 0, started: false })
      this.waiting.set(key, id)
    }
  }

  async claim(now: number, limit: number, leaseMs: number, targets: readonly string[]): Promise<OutboxEntry[]> {
    this.assertOpen()
    const due = [...this.rows.values()]
      .filter(row => row.dueAt <= now && row.leaseUntil <= now && targets.includes(row.target))
      .sort((a, b) => a.dueAt - b.dueAt)
      .slice(0, limit)
    return due.map(row => {
      row.started = true
      if (this.waiting.get(keyOf(row)) === row.id) this.waiting.delete(keyOf(row))
      row.attempts++
      row.leaseUntil = now + leaseMs
      const { leaseUntil: _lease, started: _started, ...entry } = row
      return entry
    })
  }

  async remove(ids: readonly number[]): Promise<void> {
    this.assertOpen()
    for (const id of ids) {
      const row = this.rows.get(id)
      if (row !== undefined && this.waiting.get(keyOf(row)) === id) this.waiting.delete(keyOf(row))
      this.rows.delete(id)
    }
  }

  async retry(id: number, dueAt: number): Promise<void> {
    this.assertOpen()
    const row = this.rows.get(id)
    if (row === undefined) return
    row.dueAt = dueAt
    row.leaseUntil = 0
  }

  async enqueue(entries: readonly NewOutboxEntry[]): Promise<void> {
    this.assertOpen()
    this.add(entries)
  }

  clear(): void {
    this.rows.clear()
    this.waiting.clear()
  }
}

const keyOf = (entry: NewOutboxEntry): string => `${entry.target}\u0000${entry.type}\u0000${entry.docId}`
