import type { AnyEventDefinition } from './definition.js'
import type { Envelope } from './envelope.js'
import { EventsError, EventsErrorCode } from './errors.js'
import type { StoredEvent } from './streams.js'

/** The definitions a log knows, and stored events decoded (upcast) against them. */
export class DefinitionRegistry {
  /** `report` receives an `upcast-failed` error for each event whose upcaster throws (once per definition). */
  constructor(private readonly report: (error: EventsError, event: StoredEvent) => void) {}

  readonly #definitions = new Map<string, AnyEventDefinition>()
  #decoded = new WeakMap<StoredEvent, Envelope | null>()
  /** Events that cannot be read yet: unknown type, or a version newer than (or not upcastable to) the definition. */
  readonly parked = new Set<StoredEvent>()

  has(type: string): boolean {
    return this.#definitions.has(type)
  }

  /**
   * Registers a definition. Returns true when it is new or a newer version: events of its type must then be
   * decoded again. Registering the same definition twice is a no-op; an older or different one of the same
   * version is refused.
   */
  register(definition: AnyEventDefinition): boolean {
    const known = this.#definitions.get(definition.type)
    if (known === definition) return false
    if (known !== undefined && known.v >= definition.v) {
      throw new EventsError(
        EventsErrorCode.ConflictingDefinition,
        `'${definition.type}' is already defined at v${known.v}; register one definition per type (a newer version replaces it)`,
      )
    }
    this.#definitions.set(definition.type, definition)
    return true
  }

  /** Drops what was decoded for `events` (after their definition changed). */
  forget(events: Iterable<StoredEvent>): void {
    for (const event of events) {
      this.#decoded.delete(event)
      this.parked.delete(event)
    }
  }

  /** The event at its definition's current version, or `undefined` (and parked) when it cannot be read. */
  decode(event: StoredEvent): Envelope | undefined {
    // Fast path, the usual case: stored at the current version, so the stored event is its own envelope.
    if (this.#definitions.get(event.type)?.v === event.v) return event
    const cached = this.#decoded.get(event)
    if (cached !== undefined) return cached ?? undefined
    const definition = this.#definitions.get(event.type)
    const upcast = definition === undefined ? undefined : this.#upcast(definition, event)
    if (definition === undefined || upcast === undefined) {
      this.#decoded.set(event, null)
      this.parked.add(event)
      return undefined
    }
    const { id, stream, seq, lamport, type, compensates } = event
    const envelope: Envelope = compensates === undefined
      ? { id, stream, seq, lamport, type, v: definition.v, data: upcast.data }
      : { id, stream, seq, lamport, type, v: definition.v, data: upcast.data, compensates }
    this.#decoded.set(event, envelope)
    return envelope
  }

  /** A throwing upcaster parks the event (visible through `behindSchema`) rather than breaking the fold. */
  #upcast(definition: AnyEventDefinition, event: StoredEvent): { data: unknown } | undefined {
    try {
      return definition.upcast(event.data, event.v)
    } catch (error) {
      const message = `The upcaster of '${event.type}' from v${event.v} threw on ${event.id}; the event is parked`
      this.report(new EventsError(EventsErrorCode.UpcastFailed, message, [], { cause: error }), event)
      return undefined
    }
  }
}
