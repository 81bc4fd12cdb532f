import type * as Y from 'yjs'
import type { EmitOptions, EventLog, EventLogOptions, ReplicaLike } from './api.js'
import { memoryCheckpoints, type CheckpointStore } from './checkpoint-store.js'
import type { AnyEventDefinition, EventDefinition } from './definition.js'
import type { Envelope } from './envelope.js'
import { EventsError, EventsErrorCode } from './errors.js'
import { HandlerRunner, type HandlerHost, type HandlerOptions } from './handlers.js'
import { EventIndex } from './order.js'
import { ProjectionFold, type FoldSource, type Projection, type ProjectionDefinition } from './projection.js'
import { DefinitionRegistry } from './registry.js'
import { watermarkOf } from './stability.js'
import { SessionStream } from './session-stream.js'
import { abandonedStreams, hasWebLocks } from './sessions.js'
import { retiredOf, streamsOf, StreamReader, type StoredEvent } from './streams.js'

export type { EmitOptions, EventLog, EventLogOptions, ReplicaLike } from './api.js'
/**
 * Opens the event log of a replica's document (or a bare `Y.Doc`) with a new stream for this session.
 * @example const log = await openEventLog(replica, { events: [cardAdded], checkpoints: indexedDbCheckpoints('board-42') })
 */
export async function openEventLog(source: ReplicaLike | Y.Doc, options: EventLogOptions = {}): Promise<EventLog> {
  const store = options.checkpoints ?? memoryCheckpoints()
  const log = new Log(source, options, store, await store.deviceId())
  if (options.retireCrashedSessions ?? (isReplica(source) && hasWebLocks())) await log.retireCrashedSessions()
  return log
}

const ORIGIN = Symbol('driftless-events')

/** By shape rather than `instanceof`, which a second copy of yjs in the bundle would defeat. */
const isReplica = (source: ReplicaLike | Y.Doc): source is ReplicaLike => 'doc' in source && source.doc instanceof Object

class Log implements EventLog {
  readonly deviceId: string
  readonly #doc: Y.Doc
  readonly #replica: ReplicaLike | undefined
  readonly #options: EventLogOptions
  readonly #reader: StreamReader
  readonly #index = new EventIndex()
  readonly #registry: DefinitionRegistry
  readonly #folds = new Map<string, { definition: ProjectionDefinition<unknown>; fold: ProjectionFold<unknown> }>()
  readonly #handlers = new Map<string, HandlerRunner>()
  /** Compensated event id → id of its first compensating event. */
  readonly #compensations = new Map<string, string>()
  readonly #listeners = new Set<() => void>()
  readonly #host: HandlerHost
  readonly #foldSource: FoldSource
  readonly #cleanup: Array<() => void> = []
  readonly #stream: SessionStream
  #watermark = 0
  #stableCount = 0
  #tickTimer: ReturnType<typeof setTimeout> | undefined
  #closed = false
  /** Set once this session's stream exists: ticks are written to it. */
  #streamOpen = false

  constructor(source: ReplicaLike | Y.Doc, options: EventLogOptions, store: CheckpointStore, deviceId: string) {
    this.#replica = isReplica(source) ? source : undefined
    this.#doc = isReplica(source) ? source.doc : (source as Y.Doc)
    this.#options = options
    this.deviceId = deviceId
    this.#reader = new StreamReader(this.#doc)
    const report = options.onError ?? ((cause, where) => console.error('@driftless/events:', where, cause))
    this.#registry = new DefinitionRegistry((error, event) => report(error, { upcaster: event.type, eventId: event.id }))
    for (const definition of options.events ?? []) this.#registry.register(definition)
    const index = this.#index
    this.#foldSource = {
      get events() { return index.events },
      decode: (event) => this.#registry.decode(event),
      stableEnd: (types) => this.#stableEnd(types),
      behindSchema: (types) => [...this.#registry.parked].some((event) => this.#relevant(event, types)),
    }
    this.#host = {
      store,
      events: () => index.events,
      decode: (event) => this.#registry.decode(event),
      stableCount: () => this.#stableCount,
      isLeader: () => this.#replica?.isLeader ?? true,
      isOrigin: (stream) => stream.startsWith(`${deviceId}.`),
      rejection: (id) => this.rejection(id),
      isCompensated: (id) => this.#compensations.has(id),
      reportError: (error, handler, eventId) => report(error, { handler, eventId }),
    }
    const onChange = (events: Array<Y.YEvent<Y.AbstractType<unknown>>>): void => {
      this.#reader.markChanged(events)
      this.#refresh()
    }
    const onRetired = (event: Y.YMapEvent<number>): void => onChange([event as Y.YEvent<Y.AbstractType<unknown>>])
    const streams = streamsOf(this.#doc)
    const retired = retiredOf(this.#doc)
    streams.observeDeep(onChange)
    retired.observe(onRetired)
    this.#cleanup.push(() => streams.unobserveDeep(onChange), () => retired.unobserve(onRetired))
    const stopLeader = this.#replica?.on?.('leader', () => {
      for (const runner of this.#handlers.values()) runner.reload()
    })
    if (stopLeader) this.#cleanup.push(stopLeader)
    // Read what the document holds before opening this session's stream, which starts past every lamport seen
    // (creating it is a change the observers refresh on, still without ticks).
    this.#refresh()
    this.#stream = new SessionStream(this.#doc, this.#reader, deviceId, ORIGIN, options.maxStreamLength ?? 4096)
    this.#streamOpen = true
    for (const projection of options.projections ?? []) this.projection(projection)
  }

  get stream(): string { return this.#stream.id }
  get watermark(): number { return this.#watermark }
  get behindSchema(): boolean { return this.#registry.parked.size > 0 }

  emit<Type extends string, Data>(definition: EventDefinition<Type, Data>, data: Data, options: EmitOptions = {}): string {
    this.#assertOpen()
    this.register(definition)
    const result = definition.validate(data)
    if ('issues' in result) {
      throw new EventsError(EventsErrorCode.InvalidEvent, `Invalid '${definition.type}': ${result.issues.map((issue) => issue.message).join('; ')}`, result.issues)
    }
    const { compensates } = options
    const existing = compensates === undefined ? undefined : this.#compensations.get(compensates)
    if (existing !== undefined) return existing
    return this.#stream.append(definition.type, definition.v, result.value, compensates)
  }

  register(...definitions: AnyEventDefinition[]): void {
    const changedTypes = new Set(definitions.filter((definition) => this.#registry.register(definition)).map((d) => d.type))
    if (changedTypes.size === 0) return
    const affected = this.#index.events.filter((event) => changedTypes.has(event.type))
    this.#registry.forget(affected)
    for (const event of affected) this.#registry.decode(event)
    const first = affected[0]
    this.#update(first === undefined ? this.#index.length : this.#index.positionOf(first))
  }

  events(): Envelope[] {
    const envelopes: Envelope[] = []
    for (const event of this.#index.events) {
      const envelope = this.#registry.decode(event)
      if (envelope !== undefined) envelopes.push(envelope)
    }
    return envelopes
  }

  parked(): StoredEvent[] {
    return this.#index.events.filter((event) => this.#registry.parked.has(event))
  }

  isStable(event: Pick<Envelope, 'lamport'>): boolean {
    return event.lamport <= this.#watermark
  }

  projection<State>(definition: ProjectionDefinition<State, readonly AnyEventDefinition[]>): Projection<State> {
    const known = this.#folds.get(definition.name)
    if (known !== undefined) {
      if (known.definition !== definition) throw new EventsError(EventsErrorCode.DuplicateName, `Another projection is named '${definition.name}'`)
      return known.fold as ProjectionFold<State>
    }
    this.register(...definition.events)
    const fold = new ProjectionFold(definition, this.#foldSource, this.#options.snapshotEvery ?? 256)
    this.#folds.set(definition.name, { definition: definition as ProjectionDefinition<unknown>, fold: fold as ProjectionFold<unknown> })
    fold.update(0)
    fold.notify()
    return fold
  }

  rejection(id: string): string | undefined {
    for (const { fold } of this.#folds.values()) {
      const reason = fold.rejected.get(id)
      if (reason !== undefined) return reason
    }
    return undefined
  }

  handle<const Definitions extends readonly AnyEventDefinition[]>(name: string, options: HandlerOptions<Definitions>): () => void {
    this.#assertOpen()
    if (this.#handlers.has(name)) throw new EventsError(EventsErrorCode.DuplicateName, `Another handler is named '${name}'`)
    this.register(...options.events)
    const runner = new HandlerRunner(name, options as unknown as HandlerOptions<readonly AnyEventDefinition[]>, this.#host)
    this.#handlers.set(name, runner)
    runner.trigger()
    return () => {
      runner.stop()
      if (this.#handlers.get(name) === runner) this.#handlers.delete(name)
    }
  }

  async whenHandled(): Promise<void> {
    await Promise.all([...this.#handlers.values()].map((runner) => runner.idle()))
  }

  tick(): void {
    clearTimeout(this.#tickTimer)
    this.#tickTimer = undefined
    if (!this.#closed) this.#stream.tick()
  }

  retireStream(stream: string): void {
    this.#assertOpen()
    if (stream === this.#stream.id) throw new EventsError(EventsErrorCode.InvalidDefinition, 'Close your own stream with close(), do not retire it')
    const retired = retiredOf(this.#doc)
    if (!retired.has(stream)) this.#doc.transact(() => retired.set(stream, this.#reader.entriesRead(stream)), ORIGIN)
  }

  retireDevice(deviceId: string): void {
    for (const stream of streamsOf(this.#doc).keys()) {
      if (stream !== this.#stream.id && stream.startsWith(`${deviceId}.`)) this.retireStream(stream)
    }
  }

  subscribe(listener: () => void): () => void {
    this.#listeners.add(listener)
    return () => this.#listeners.delete(listener)
  }

  async close(options: { readonly closeStream?: boolean; readonly leave?: boolean } = {}): Promise<void> {
    if (this.#closed) return
    if (options.closeStream ?? true) this.#stream.close(options.leave ?? !this.#host.store.persistent)
    this.#closed = true
    this.#stream.release()
    clearTimeout(this.#tickTimer)
    for (const cleanup of this.#cleanup) cleanup()
    for (const runner of this.#handlers.values()) runner.stop()
    await this.whenHandled()
  }

  #assertOpen(): void {
    if (this.#closed) throw new EventsError(EventsErrorCode.Closed, 'This event log is closed')
  }

  /** Retires this device's open streams whose session is gone (their Web Lock is free). */
  async retireCrashedSessions(): Promise<void> {
    const statuses = this.#reader.statuses()
    const mine = [...statuses].filter(([stream, status]) => stream !== this.#stream.id && stream.startsWith(`${this.deviceId}.`) && !status.closed)
    for (const stream of await abandonedStreams(mine.map(([stream]) => stream))) {
      if (!this.#closed) this.retireStream(stream)
    }
  }

  /** Reads what changed in the document and brings everything up to date. */
  #refresh(): void {
    const { added, truncated } = this.#reader.pull()
    let changedFrom = Infinity
    for (const { stream, cut } of truncated) {
      changedFrom = Math.min(changedFrom, this.#index.truncate(stream, cut))
      this.#registry.forget([...this.#registry.parked].filter((event) => event.stream === stream && event.seq >= cut))
      this.#compensations.clear()
      for (const event of this.#index.events) this.#noteCompensation(event)
    }
    if (added.length > 0) {
      changedFrom = Math.min(changedFrom, this.#index.insert(added))
      for (const event of added) {
        this.#registry.decode(event)
        this.#noteCompensation(event)
      }
    }
    this.#update(Number.isFinite(changedFrom) ? changedFrom : this.#index.length)
    this.#scheduleTick()
  }

  #noteCompensation(event: StoredEvent): void {
    if (event.compensates === undefined) return
    const known = this.#compensations.get(event.compensates)
    // Keep the first in total order, as projections do.
    if (known === undefined || this.#index.positionOf(event) < this.#index.events.findIndex((e) => e.id === known)) {
      this.#compensations.set(event.compensates, event.id)
    }
  }

  /** Recomputes the watermark, refolds from `changedFrom`, and tells folds, handlers and listeners. */
  #update(changedFrom: number): void {
    this.#watermark = watermarkOf(this.#reader.statuses())
    this.#stableCount = this.#index.countUpTo(this.#watermark)
    for (const { fold } of this.#folds.values()) fold.update(changedFrom)
    for (const { fold } of this.#folds.values()) fold.notify()
    for (const runner of this.#handlers.values()) runner.trigger()
    for (const listener of [...this.#listeners]) listener()
  }

  #stableEnd(types: ReadonlySet<string>): number {
    let end = this.#stableCount
    for (const event of this.#registry.parked) {
      if (this.#relevant(event, types)) end = Math.min(end, this.#index.positionOf(event))
    }
    return end
  }

  /** A parked event may matter to a projection folding `types` if it is of one of them, or of a type nobody knows. */
  #relevant(event: StoredEvent, types: ReadonlySet<string>): boolean {
    return types.has(event.type) || !this.#registry.has(event.type)
  }

  #scheduleTick(): void {
    const delay = this.#options.heartbeatMs ?? 200
    if (delay === false || this.#tickTimer !== undefined || this.#closed) return
    if (!this.#streamOpen || this.#reader.maxLamport <= this.#stream.lastLamport) return
    this.#tickTimer = setTimeout(() => this.tick(), delay)
  }
}
