import type { AnyEventDefinition } from './definition.js'
import type { Envelope } from './envelope.js'
import type { Checkpoint, CheckpointStore } from './checkpoint-store.js'
import type { EventOf } from './projection.js'
import type { StoredEvent } from './streams.js'

/** Where a handler runs. */
export const HandlerScope = {
  /** On every replica (its leader tab), as soon as the event is seen. For local side effects: caches, UI. */
  EveryReplica: 'everyReplica',
  /** Only on the replica whose stream wrote the event: exactly one replica acts, without coordination. */
  OriginOnly: 'originOnly',
  /** On every replica once the event is stable, and only if no projection rejected it and nothing compensated it. */
  StableOnly: 'stableOnly',
} as const
export type HandlerScope = (typeof HandlerScope)[keyof typeof HandlerScope]

/** What a handler receives besides the event. */
export interface HandlerContext {
  /** `handlerName:eventId`: pass it to external effects so a retry after a crash is not done twice. */
  readonly idempotencyKey: string
  /** Why a projection rejected the event, if one did (final once the event is stable). */
  readonly rejected: string | undefined
  /** Whether the event is stable (at or below the watermark). */
  readonly stable: boolean
}

/** Options of `log.handle(name, options)`. */
export interface HandlerOptions<Definitions extends readonly AnyEventDefinition[]> {
  readonly scope: HandlerScope
  /** The events to handle; the others only move the checkpoint. */
  readonly events: Definitions
  /**
   * For `everyReplica` and `originOnly`: run once the event is stable, so `context.rejected` is final
   * (use it to compensate a rejected event exactly when its rejection can no longer change).
   * `stableOnly` always waits. @default false
   */
  readonly waitForStable?: boolean
  /** The effect. Handlers of one name run one event at a time, in total order; a throw stops until the next change. */
  readonly run: (event: EventOf<Definitions[number]>, context: HandlerContext) => void | Promise<void>
}

/** What a handler reads from its log. */
export interface HandlerHost {
  readonly store: CheckpointStore
  events(): readonly StoredEvent[]
  decode(event: StoredEvent): Envelope | undefined
  /** Number of events at or below the watermark. */
  stableCount(): number
  isLeader(): boolean
  isOrigin(stream: string): boolean
  rejection(id: string): string | undefined
  isCompensated(id: string): boolean
  reportError(error: unknown, handler: string, eventId: string): void
}

/** Runs one handler: passes over unhandled events, checkpointing after each. */
export class HandlerRunner {
  readonly #name: string
  readonly #options: HandlerOptions<readonly AnyEventDefinition[]>
  readonly #host: HandlerHost
  readonly #types: ReadonlySet<string>
  #checkpoint: Record<string, number> | undefined
  #running: Promise<void> | undefined
  #again = false
  #stopped = false

  constructor(name: string, options: HandlerOptions<readonly AnyEventDefinition[]>, host: HandlerHost) {
    this.#name = name
    this.#options = options
    this.#host = host
    this.#types = new Set(options.events.map((event) => event.type))
  }

  /** Schedules a pass (another one after the current, if running). */
  trigger(): void {
    if (this.#stopped) return
    if (this.#running) {
      this.#again = true
      return
    }
    this.#running = this.#loop().finally(() => {
      this.#running = undefined
    })
  }

  /** Forget the in-memory checkpoint: another tab may have led meanwhile. */
  reload(): void {
    this.#checkpoint = undefined
    this.trigger()
  }

  /** Resolves when no pass is running or scheduled. */
  async idle(): Promise<void> {
    while (this.#running) await this.#running
  }

  stop(): void {
    this.#stopped = true
  }

  async #loop(): Promise<void> {
    do {
      this.#again = false
      if (!(await this.#pass())) return
    } while (this.#again && !this.#stopped)
  }

  /** One pass; false when a handler threw (retried on the next change, not in a tight loop). */
  async #pass(): Promise<boolean> {
    const host = this.#host
    if (this.#stopped || !host.isLeader()) return true
    this.#checkpoint ??= { ...((await host.store.load(this.#name)) ?? {}) }
    const checkpoint = this.#checkpoint
    const { scope, waitForStable = false } = this.#options
    const stableOnly = scope === HandlerScope.StableOnly || waitForStable
    const stableCount = host.stableCount()
    const candidates = this.#candidates(checkpoint, stableOnly)
    let unsaved = false
    for (const { event, position } of candidates) {
      if (this.#stopped || !host.isLeader()) break
      const next = event.seq + 1
      if (!this.#applies(event)) {
        checkpoint[event.stream] = next
        unsaved = true
        continue
      }
      const envelope = host.decode(event) as EventOf<AnyEventDefinition>
      const context: HandlerContext = {
        idempotencyKey: `${this.#name}:${event.id}`,
        rejected: host.rejection(event.id),
        stable: stableOnly || position < stableCount,
      }
      try {
        await this.#options.run(envelope, context)
      } catch (error) {
        host.reportError(error, this.#name, event.id)
        if (unsaved) await this.#save(checkpoint)
        return false
      }
      checkpoint[event.stream] = next
      await this.#save(checkpoint)
      unsaved = false
    }
    if (unsaved) await this.#save(checkpoint)
    return true
  }

  /** Unhandled events in total order, up to the stable boundary if asked; a parked event holds back what follows. */
  #candidates(checkpoint: Checkpoint, stableOnly: boolean): Array<{ event: StoredEvent; position: number }> {
    const host = this.#host
    const events = host.events()
    const end = stableOnly ? host.stableCount() : events.length
    const blocked = new Set<string>()
    const candidates: Array<{ event: StoredEvent; position: number }> = []
    for (let position = 0; position < end; position++) {
      const event = events[position] as StoredEvent
      if (event.seq < (checkpoint[event.stream] ?? 0) || blocked.has(event.stream)) continue
      if (host.decode(event) === undefined) {
        // Parked. Stable work stops: what follows may be rejected once it is read. Tentative work only waits
        // on this stream, and only for a newer version of one of its own types (unknown types are not ours).
        if (stableOnly) break
        if (this.#types.has(event.type)) {
          blocked.add(event.stream)
          continue
        }
      }
      candidates.push({ event, position })
    }
    return candidates
  }

  #applies(event: StoredEvent): boolean {
    const host = this.#host
    if (!this.#types.has(event.type)) return false
    switch (this.#options.scope) {
      case HandlerScope.OriginOnly: return host.isOrigin(event.stream)
      case HandlerScope.StableOnly: return host.rejection(event.id) === undefined && !host.isCompensated(event.id)
      default: return true
    }
  }

  async #save(checkpoint: Checkpoint): Promise<void> {
    await this.#host.store.save(this.#name, checkpoint)
  }
}
