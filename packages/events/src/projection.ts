import type { AnyEventDefinition, EventDefinition } from './definition.js'
import type { Envelope } from './envelope.js'
import { stateHash } from './hash.js'
import type { StoredEvent } from './streams.js'

/** The envelope type of the events of one or more definitions (a union, discriminated by `type`). */
export type EventOf<Definition> = Definition extends EventDefinition<infer Type, infer Data> ? Envelope<Type, Data> : never

/**
 * A projection: a pure fold of events into state.
 *
 * `reduce` must be deterministic (no `Date.now()`, no randomness, no reading outside state and event: put
 * timestamps into event data at emit) and must not mutate `state`: return a new object and share what did
 * not change. Earlier states are kept as snapshots and reused when a late event forces a refold.
 */
export interface ProjectionDefinition<State, Definitions extends readonly AnyEventDefinition[] = readonly AnyEventDefinition[]> {
  /** Unique per log. */
  readonly name: string
  /** State before any event. Never mutated. */
  readonly initial: State
  /** The events this projection folds; others are not offered to `reduce`. */
  readonly events: Definitions
  /** Returns the state after `event`. A throw rejects the event (reason `reduce: <message>`), same as an invariant. */
  readonly reduce: (state: State, event: EventOf<Definitions[number]>) => State
  /**
   * Predicates on the state after an event, by name. An event whose outcome breaks one is a no-op on every
   * replica and is reported in `rejected` with the invariant's name as reason.
   * @default {}
   */
  readonly invariants?: Readonly<Record<string, (state: State, event: EventOf<Definitions[number]>) => boolean>>
}

/** Any projection definition, whatever its state and events. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type AnyProjectionDefinition = ProjectionDefinition<any, any>

/** Declares a projection; returns its argument, typed. */
export function defineProjection<State, const Definitions extends readonly AnyEventDefinition[]>(
  definition: ProjectionDefinition<State, Definitions>,
): ProjectionDefinition<State, Definitions> {
  return definition
}

/** A projection as folded by a log: tentative and stable state, hashes, rejections. */
export interface Projection<State> {
  readonly name: string
  /** State after every event this replica holds (tentative: an event that arrives late may change it). */
  readonly state: State
  /** `stateHash(state)`: compare across replicas to catch a non-deterministic reducer. */
  readonly stateHash: string
  /** State after the stable events only (at or below the watermark): final. */
  readonly stableState: State
  readonly stableHash: string
  /** How many events (in total order) the stable state covers. */
  readonly stableCount: number
  /** Rejected events: event id → reason (an invariant's name, `duplicate-compensation`, `reduce: …`). */
  readonly rejected: ReadonlyMap<string, string>
  /** True while the log holds events this projection may need but cannot read (unknown type or newer version). */
  readonly behindSchema: boolean
  /** Calls `listener` after the state, stable state, rejections or `behindSchema` changed. Returns unsubscribe. */
  subscribe(listener: () => void): () => void
}

/** What a fold reads from its log. */
export interface FoldSource {
  readonly events: readonly StoredEvent[]
  /** The event upcast to its definition's current version; `undefined` when parked. */
  decode(event: StoredEvent): Envelope | undefined
  /** Number of stable events for a projection folding `types` (stops before the first relevant parked event). */
  stableEnd(types: ReadonlySet<string>): number
  behindSchema(types: ReadonlySet<string>): boolean
}

interface Snapshot<State> {
  readonly position: number
  readonly state: State
  readonly rejections: number
  readonly compensations: number
}

type AnyEnvelope = EventOf<AnyEventDefinition>

/** Incremental fold with periodic snapshots; rewinds to the nearest snapshot when earlier events change. */
export class ProjectionFold<State> implements Projection<State> {
  readonly name: string
  readonly #definition: ProjectionDefinition<State>
  readonly #source: FoldSource
  readonly #snapshotEvery: number
  readonly #types: ReadonlySet<string>
  readonly #invariants: ReadonlyArray<[string, (state: State, event: AnyEnvelope) => boolean]>
  readonly #listeners = new Set<() => void>()
  #state: State
  #position = 0
  #snapshots: Array<Snapshot<State>>
  readonly #rejections: Array<{ readonly id: string }> = []
  readonly #rejected = new Map<string, string>()
  readonly #compensations: string[] = []
  readonly #compensated = new Set<string>()
  #stableCache: { readonly count: number; readonly state: State; hash?: string } | undefined
  #hashCache: { readonly state: State; readonly hash: string } | undefined
  #notified: { state: State; stableCount: number; rejected: number; behind: boolean } | undefined

  constructor(definition: ProjectionDefinition<State>, source: FoldSource, snapshotEvery: number) {
    this.name = definition.name
    this.#definition = definition
    this.#source = source
    this.#snapshotEvery = snapshotEvery
    this.#types = new Set(definition.events.map((event) => event.type))
    this.#invariants = Object.entries(definition.invariants ?? {})
    this.#state = definition.initial
    this.#snapshots = [{ position: 0, state: definition.initial, rejections: 0, compensations: 0 }]
  }

  get state(): State {
    return this.#state
  }

  get stateHash(): string {
    if (this.#hashCache?.state !== this.#state) this.#hashCache = { state: this.#state, hash: stateHash(this.#state) }
    return this.#hashCache.hash
  }

  get stableCount(): number {
    return Math.min(this.#source.stableEnd(this.#types), this.#position)
  }

  get stableState(): State {
    return this.#stable().state
  }

  get stableHash(): string {
    const stable = this.#stable()
    stable.hash ??= stateHash(stable.state)
    return stable.hash
  }

  get rejected(): ReadonlyMap<string, string> {
    return this.#rejected
  }

  get behindSchema(): boolean {
    return this.#source.behindSchema(this.#types)
  }

  subscribe(listener: () => void): () => void {
    this.#listeners.add(listener)
    return () => this.#listeners.delete(listener)
  }

  /** Brings the fold up to date after the events from position `changedFrom` on changed. */
  update(changedFrom: number): void {
    if (changedFrom < this.#position) this.#rewind(changedFrom)
    if (this.#stableCache !== undefined && changedFrom < this.#stableCache.count) this.#stableCache = undefined
    this.#foldTo(this.#source.events.length)
  }

  /** Calls the listeners if anything they can observe changed since the last call. */
  notify(): void {
    const now = { state: this.#state, stableCount: this.stableCount, rejected: this.#rejections.length, behind: this.behindSchema }
    const last = this.#notified
    this.#notified = now
    if (last && last.state === now.state && last.stableCount === now.stableCount && last.rejected === now.rejected && last.behind === now.behind) return
    for (const listener of [...this.#listeners]) listener()
  }

  #rewind(position: number): void {
    while ((this.#snapshots.at(-1) as Snapshot<State>).position > position) this.#snapshots.pop()
    const snapshot = this.#snapshots.at(-1) as Snapshot<State>
    this.#state = snapshot.state
    this.#position = snapshot.position
    while (this.#rejections.length > snapshot.rejections) this.#rejected.delete((this.#rejections.pop() as { id: string }).id)
    while (this.#compensations.length > snapshot.compensations) this.#compensated.delete(this.#compensations.pop() as string)
  }

  #foldTo(end: number): void {
    const events = this.#source.events
    for (; this.#position < end; this.#position++) {
      if (this.#position % this.#snapshotEvery === 0 && (this.#snapshots.at(-1) as Snapshot<State>).position < this.#position) {
        this.#snapshots.push({
          position: this.#position,
          state: this.#state,
          rejections: this.#rejections.length,
          compensations: this.#compensations.length,
        })
      }
      const stored = events[this.#position] as StoredEvent
      if (!this.#types.has(stored.type)) continue
      const event = this.#source.decode(stored) as AnyEnvelope | undefined
      if (event !== undefined) this.#apply(event)
    }
  }

  #apply(event: AnyEnvelope): void {
    const compensates = event.compensates
    if (compensates !== undefined && this.#compensated.has(compensates)) return this.#reject(event.id, 'duplicate-compensation')
    let next: State
    try {
      next = this.#definition.reduce(this.#state, event)
    } catch (error) {
      return this.#reject(event.id, `reduce: ${error instanceof Error ? error.message : String(error)}`)
    }
    for (const [name, holds] of this.#invariants) if (!holds(next, event)) return this.#reject(event.id, name)
    this.#state = next
    if (compensates !== undefined) {
      this.#compensations.push(compensates)
      this.#compensated.add(compensates)
    }
  }

  #reject(id: string, reason: string): void {
    this.#rejections.push({ id })
    this.#rejected.set(id, reason)
  }

  /** The state after the first `stableCount` events: replays accepted events from the nearest snapshot. */
  #stable(): { readonly count: number; readonly state: State; hash?: string } {
    const count = this.stableCount
    if (this.#stableCache?.count === count) return this.#stableCache
    if (count === this.#position) return (this.#stableCache = { count, state: this.#state })
    let snapshot = this.#snapshots[0] as Snapshot<State>
    for (let i = this.#snapshots.length - 1; i >= 0; i--) {
      const candidate = this.#snapshots[i] as Snapshot<State>
      if (candidate.position <= count) { snapshot = candidate; break }
    }
    // Below the tip, every event's fate is already known (a fold's outcome depends only on earlier events),
    // so replaying the accepted ones without invariants gives the same state.
    let state = snapshot.state
    const events = this.#source.events
    for (let position = snapshot.position; position < count; position++) {
      const stored = events[position] as StoredEvent
      if (!this.#types.has(stored.type) || this.#rejected.has(stored.id)) continue
      const event = this.#source.decode(stored) as AnyEnvelope | undefined
      if (event !== undefined) state = this.#definition.reduce(state, event)
    }
    return (this.#stableCache = { count, state })
  }
}
