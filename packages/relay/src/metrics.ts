import { Counter, Gauge, Histogram, Registry } from 'prom-client'
import { errorCodeName, type ErrorCode } from '@driftless/protocol'

/**
 * Hot-path counters are plain numbers (a property increment per frame); prom-client reads them when
 * scraped, so fan-out to many subscribers does not pay for label hashing.
 */
export class RelayMetrics {
  readonly registry = new Registry()
  messagesIn = 0
  messagesOut = 0
  bytesIn = 0
  bytesOut = 0
  private readonly rejections: Counter<'code'>
  private readonly commitDuration: Histogram
  private readonly commitBatch: Histogram
  private readonly compactions: Counter

  constructor(sample: { connections(): { driftless: number; ywebsocket: number }; openDocuments(): number }) {
    const registers = [this.registry]
    const counterOf = (name: string, help: string, read: () => number): void => {
      new Counter({
        name, help, registers,
        collect(this: Counter) {
          this.reset()
          this.inc(read())
        },
      })
    }
    new Gauge({
      name: 'driftless_connections', help: 'Open websocket connections, by client kind.', labelNames: ['kind'], registers,
      collect(this: Gauge<'kind'>) {
        const counts = sample.connections()
        this.set({ kind: 'driftless' }, counts.driftless)
        this.set({ kind: 'ywebsocket' }, counts.ywebsocket)
      },
    })
    new Gauge({
      name: 'driftless_open_documents', help: 'Documents held in memory.', registers,
      collect(this: Gauge) {
        this.set(sample.openDocuments())
      },
    })
    counterOf('driftless_messages_in_total', 'Frames received.', () => this.messagesIn)
    counterOf('driftless_messages_out_total', 'Frames sent.', () => this.messagesOut)
    counterOf('driftless_bytes_in_total', 'Bytes received in frames.', () => this.bytesIn)
    counterOf('driftless_bytes_out_total', 'Bytes sent in frames.', () => this.bytesOut)
    this.rejections = new Counter({
      name: 'driftless_rejections_total', help: 'Messages refused, by error code name.', labelNames: ['code'], registers,
    })
    this.commitDuration = new Histogram({
      name: 'driftless_commit_duration_seconds', help: 'Duration of each storage transaction (group commit).', registers,
      buckets: [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1],
    })
    this.commitBatch = new Histogram({
      name: 'driftless_commit_batch_updates', help: 'Updates per storage transaction.', registers,
      buckets: [1, 2, 5, 10, 20, 50, 100, 200, 500, 1000, 5000],
    })
    this.compactions = new Counter({ name: 'driftless_compactions_total', help: 'Document logs compacted.', registers })
  }

  rejected(code: ErrorCode | string): void {
    this.rejections.inc({ code: typeof code === 'string' ? code : errorCodeName(code) })
  }

  committed(seconds: number, updates: number): void {
    this.commitDuration.observe(seconds)
    this.commitBatch.observe(updates)
  }

  compacted(): void {
    this.compactions.inc()
  }
}
