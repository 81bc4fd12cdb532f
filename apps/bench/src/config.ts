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
  capacity: CapacityConfig
}

/** The capacity scenario: server on one core, raw load generators on another, stepped offered load. */
export interface CapacityConfig {
  /** Repetitions per system (the run's own count is too many for the time budget). */
  repetitions: number
  /** Subscriber counts of the one document, one stepped run each. */
  subscribers: number[]
  /** Of the subscribers, how many write (the offered rate is split evenly between them). */
  writers: number
  /** Of the subscribers, how many time the probes. */
  observers: number
  /** Probe clients (a real Y.Doc each, writing one key every 100 ms). */
  probes: number
  /** Offered total edit rates: from `firstRate`, doubling, up to `lastRate`; then refined (see `refinedStep`). */
  firstRate: number
  lastRate: number
  stepMs: number
  /**
   * With the first subscriber count, the doubling steps from `heldFrom` to FINE_FROM (where the common step of
   * CPU per delivered edit falls) last this long instead: one second holds fixed costs (V8 compiling on its
   * own threads, one GC) that a steady load spreads thin, and read Driftless's cost 1.5–2× high.
   */
  heldFrom: number
  heldStepMs: number
  /** Many documents on few sockets: `connections` clients, each holding the same `docs` documents. */
  manyDocs: { connections: number; docs: number }
  idleConnections: number
  /**
   * A memory phase's middle reading waits until its server is this old. V8's memory reducer first runs about
   * 8 s after an isolate starts and gives back pages it no longer needs; in Driftless it does so in the SQLite
   * writer thread's isolate too, which the harness's full GC does not reach: 1.1–1.9 MiB left RSS at that
   * moment, so a phase that straddled it read a negative cost per connection (with in-memory storage, no
   * writer thread, the same readings grew steadily).
   */
  memorySettledAfterMs: number
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
  capacity: {
    repetitions: 2, subscribers: [50, 500], writers: 64, observers: 2, probes: 4, firstRate: 50, lastRate: 204_800, stepMs: 1_000, heldFrom: 400, heldStepMs: 4_000,
    manyDocs: { connections: 10, docs: 1_000 }, idleConnections: 1_000, memorySettledAfterMs: 10_000,
  },
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
  capacity: {
    repetitions: 1, subscribers: [10, 50], writers: 4, observers: 2, probes: 2, firstRate: 400, lastRate: 3_200, stepMs: 400, heldFrom: 400, heldStepMs: 400,
    manyDocs: { connections: 2, docs: 50 }, idleConnections: 50, memorySettledAfterMs: 0,
  },
}
