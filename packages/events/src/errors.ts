/** What went wrong, as a stable string you can switch on. */
export const EventsErrorCode = {
  /** `emit` data failed the event's schema or guard; nothing was written. See `issues`. */
  InvalidEvent: 'invalid-event',
  /** A Standard Schema validator returned a Promise; `emit` is synchronous, use a synchronous schema. */
  AsyncSchema: 'async-schema',
  /** Two different definitions share a type name. Register one definition per type (its newest version). */
  ConflictingDefinition: 'conflicting-definition',
  /** A definition is malformed (empty type, version below 1). */
  InvalidDefinition: 'invalid-definition',
  /** The log was closed; open a new one. */
  Closed: 'closed',
  /** Two handlers or projections were registered under the same name. */
  DuplicateName: 'duplicate-name',
  /**
   * An upcaster threw (reported to `onError`, with the error it threw as `cause`). The event is parked and
   * projections that need it are `behindSchema` until a definition whose upcaster works is registered.
   */
  UpcastFailed: 'upcast-failed',
} as const

export type EventsErrorCode = (typeof EventsErrorCode)[keyof typeof EventsErrorCode]

/** A validation problem, as reported by Standard Schema validators or a guard function. */
export interface EventIssue {
  readonly message: string
  readonly path?: ReadonlyArray<PropertyKey | { readonly key: PropertyKey }>
}

/** Every error thrown by `@driftless/events`. Switch on `code`. */
export class EventsError extends Error {
  override readonly name = 'EventsError'
  constructor(
    readonly code: EventsErrorCode,
    message: string,
    /** For `invalid-event`: what the validator reported. */
    readonly issues: readonly EventIssue[] = [],
    options?: { readonly cause?: unknown },
  ) {
    super(message, options)
  }
}
