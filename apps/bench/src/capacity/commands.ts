import type { WireProtocol } from './protocols.js'

/** What the harness asks the load-generator process to do (over the child-process IPC channel). */
export type LoadCommand =
  | {
    type: 'setup'; protocol: WireProtocol; url: string; docId: string
    /** Connections on the document that count what they receive; the first `writers` of them also write. */
    subscribers: number; writers: number
    /** Of the subscribers, how many also time the probes. */
    observers: number
    /** Extra connections with a real Y.Doc each, writing a probe key every `probeIntervalMs`. */
    probes: number; probeIntervalMs: number
    /** Updates prepared per writer, before any step. */
    editsPerWriter: number
  }
  | { type: 'step'; rate: number; durationMs: number; graceMs: number; settleMs: number }
  | { type: 'many-docs'; protocol: WireProtocol; url: string; connections: number; docs: number; firstDoc?: number }
  | { type: 'idle'; protocol: WireProtocol; url: string; connections: number }
  | { type: 'large'; protocol: WireProtocol; url: string; docId: string; updatePath: string }
  | { type: 'close' }

/** What one step measured in one load-generator process (the harness combines the processes: `combineCounts`). */
export interface StepCounts {
  /** Edits this process wrote (writers and probes) during the step. */
  written: number
  /** Per subscriber of this process: edits of others received by the end of the step plus the grace, and edits of its own. */
  subscribers: { delivered: number; own: number }[]
  /** Probe write → observer saw it, one per write and observer that saw it (IPC cannot carry Infinity)… */
  latencies: number[]
  /** …and how many (write, observer) pairs never saw it. */
  unseen: number
  /** How late the writers' schedule ran at worst, in ms (a loaded generator shows here). */
  scheduleLagMs: number
}

/** What the load generator reports back. `began`/`sampled` bracket a step's window for CPU and RSS readings. */
export type LoadReport =
  | { type: 'ready' }
  | { type: 'began' }
  | { type: 'sampled' }
  | { type: 'step-done'; counts: StepCounts }
  | { type: 'done'; sockets: number }
  | { type: 'failed'; message: string }
