/** Sizes and counts of one run. `--quick` shrinks everything to fit in ~2 minutes. */
export interface BenchConfig {
  quick: boolean
  repetitions: number
  fanOut: { clients: number; rounds: number }
  manyDocs: { docs: number; editsPerClient: number }
  largeDoc: { inserts: number }
  durability: { edits: number; killDelaysMs: number[] }
  durableAck: { edits: number; gapMs: number }
  browserPersistence: { transactions: number; openCloseCycles: number }
  partition: { editsPerSide: number }
  tabs: { tabs: number }
  events: { events: number; rewind: number }
  /** Two relay nodes on one PostgreSQL + Redis: clients on one document, probe edits, and how long the restart edit burst lasts. */
  scaleOut: { clients: number; rounds: number; editMs: number }
}

export const FULL: BenchConfig = {
  quick: false,
  repetitions: 3,
  fanOut: { clients: 50, rounds: 200 },
  manyDocs: { docs: 500, editsPerClient: 20 },
  largeDoc: { inserts: 100_000 },
  durability: { edits: 1_000, killDelaysMs: [0, 1_000, 3_000] },
  durableAck: { edits: 200, gapMs: 10 },
  browserPersistence: { transactions: 10_000, openCloseCycles: 1_000 },
  partition: { editsPerSide: 200 },
  tabs: { tabs: 10 },
  events: { events: 100_000, rewind: 1_000 },
  scaleOut: { clients: 20, rounds: 200, editMs: 1_000 },
}

export const QUICK: BenchConfig = {
  quick: true,
  repetitions: 1,
  fanOut: { clients: 10, rounds: 30 },
  manyDocs: { docs: 100, editsPerClient: 5 },
  largeDoc: { inserts: 10_000 },
  durability: { edits: 100, killDelaysMs: [0] },
  durableAck: { edits: 30, gapMs: 10 },
  browserPersistence: { transactions: 500, openCloseCycles: 20 },
  partition: { editsPerSide: 50 },
  tabs: { tabs: 4 },
  events: { events: 5_000, rewind: 100 },
  scaleOut: { clients: 10, rounds: 30, editMs: 500 },
}
