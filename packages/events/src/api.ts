import type * as Y from 'yjs'
import type { CheckpointStore } from './checkpoint-store.js'
import type { AnyEventDefinition, EventDefinition } from './definition.js'
import type { Envelope } from './envelope.js'
import type { HandlerOptions } from './handlers.js'
import type { AnyProjectionDefinition, Projection, ProjectionDefinition } from './projection.js'
import type { StoredEvent } from './streams.js'

/** What the log needs from a replica (`openReplica()` fits); a bare `Y.Doc` works too and always leads. */
export interface ReplicaLike {
  readonly doc: Y.Doc
  /** Whether this tab leads (runs handlers). @default true when absent */
  readonly isLeader?: boolean
  on?(event: 'leader', listener: (isLeader: boolean) => void): () => void
}

/** Where an error passed to `onError` happened: in a handler, or in the upcaster of an event's type. */
export type ErrorPlace =
  | { readonly handler: string; readonly eventId: string; readonly upcaster?: undefined }
  | { readonly upcaster: string; readonly eventId: string; readonly handler?: undefined }

/** Options of `openEventLog`. */
export interface EventLogOptions {
  /** Event definitions to read (more are added by `emit`, `projection`, `handle` and `register`). @default [] */
  readonly events?: readonly AnyEventDefinition[]
  /** Projections to fold from the start; register those with invariants here, before handlers run. @default [] */
  readonly projections?: readonly AnyProjectionDefinition[]
  /** Where handler checkpoints and this replica's device id live. Browsers: `indexedDbCheckpoints(docId)`. @default memoryCheckpoints() */
  readonly checkpoints?: CheckpointStore
  /** Ms after seeing a higher lamport before writing a tick, so the watermark can pass this idle stream; false: only `tick()`. @default 200 */
  readonly heartbeatMs?: number | false
  /**
   * Entries after which this session closes its stream and continues on a new one (ids of later events name
   * the new stream). Keeps `emit` cheap in long sessions. @default 4096
   */
  readonly maxStreamLength?: number
  /** Events between two projection snapshots (the most a rewind refolds beyond the late event). @default 256 */
  readonly snapshotEvery?: number
  /**
   * On open, retire this device's streams whose session is gone (a crashed or killed tab), found with Web
   * Locks, so they stop holding the watermark. Safe only when the document was loaded from this device's
   * storage (it then holds every entry those sessions wrote): hence off for a bare `Y.Doc`.
   * @default true for a replica where Web Locks exist, else false
   */
  readonly retireCrashedSessions?: boolean
  /**
   * Receives errors thrown by handlers (the handler retries on the next change) and `upcast-failed` errors
   * (the event is parked). @default console.error
   */
  readonly onError?: (error: unknown, where: ErrorPlace) => void
}

/** Options of `emit`. */
export interface EmitOptions {
  /** Makes this a compensating event for `compensates` (an event id). At most one is written per event and replica, and projections apply only the first. */
  readonly compensates?: string
}

/** Domain events on a Y.Doc. Create with `openEventLog`. */
export interface EventLog {
  /** This session's current stream id (`<deviceId>.<random>`); a new one per `openEventLog`, after `maxStreamLength` entries, and after a retirement. */
  readonly stream: string
  /** This replica's id from the checkpoint store; the prefix of its streams. */
  readonly deviceId: string
  /** Lamport at or below which every event is stable (`Infinity` when no stream is open). */
  readonly watermark: number
  /** True while some events cannot be read (unknown type or newer version); see `parked()`. */
  readonly behindSchema: boolean
  /** Validates, stamps and appends an event to this session's stream; returns its id. Throws `EventsError` `invalid-event`. */
  emit<Type extends string, Data>(definition: EventDefinition<Type, Data>, data: Data, options?: EmitOptions): string
  /** Adds or upgrades definitions; parked events they can read are folded in order. */
  register(...definitions: AnyEventDefinition[]): void
  /** Every readable event, in total order. */
  events(): Envelope[]
  /** Events that cannot be read yet, in total order (stored form, not upcast). */
  parked(): StoredEvent[]
  /** Whether `event` is stable (final). */
  isStable(event: Pick<Envelope, 'lamport'>): boolean
  /** The folded projection (folded on first call, then kept up to date). */
  projection<State>(definition: ProjectionDefinition<State, readonly AnyEventDefinition[]>): Projection<State>
  /** Why some projection rejected the event with this id, if one did. */
  rejection(id: string): string | undefined
  /** Registers a handler; returns a function that unregisters it. */
  handle<const Definitions extends readonly AnyEventDefinition[]>(name: string, options: HandlerOptions<Definitions>): () => void
  /** Resolves once handlers have processed everything they can process now. */
  whenHandled(): Promise<void>
  /** Writes a tick now if this stream lags the highest lamport seen (lets the watermark pass an idle stream). */
  tick(): void
  /** Declares another stream dead (a crashed session): it stops holding the watermark; its entries beyond what this replica holds are ignored everywhere. */
  retireStream(stream: string): void
  /** Retires this device's open streams whose session is gone (Web Locks; a no-op without them). Runs on open by default. */
  retireCrashedSessions(): Promise<void>
  /** Retires every stream of a device that will never come back (site data cleared, device lost). */
  retireDevice(deviceId: string): void
  /** Calls `listener` after any change of events, watermark or schema state. Returns unsubscribe. */
  subscribe(listener: () => void): () => void
  /**
   * Stops handlers and observers and marks the stream closed (it stops holding the watermark; the device
   * still does until it writes again, unless `leave`).
   * `closeStream: false` leaves it open, as a crash would. `leave: true` also says the device will never
   * come back (default: when the checkpoint store is not persistent).
   */
  close(options?: { readonly closeStream?: boolean; readonly leave?: boolean }): Promise<void>
}
