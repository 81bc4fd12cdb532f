import type { StandardSchemaV1 } from '@standard-schema/spec'
import { EventsError, EventsErrorCode, type EventIssue } from './errors.js'

/** A plain type guard; an alternative to a Standard Schema validator (zod, valibot, arktype, …). */
export type EventGuard<Data> = (data: unknown) => data is Data

/** What validates an event's data at `emit`: any Standard Schema validator, or a type guard. */
export type EventSchema = StandardSchemaV1 | EventGuard<unknown>

/** The data type a schema accepts. */
export type DataOfSchema<Schema> =
  Schema extends StandardSchemaV1 ? StandardSchemaV1.InferOutput<Schema>
  : Schema extends (data: unknown) => data is infer Data ? Data
  : never

/** Pure functions turning data of version `k` into data of version `k + 1`, keyed by `k`. */
export type Upcasters = Readonly<Record<number, (data: never) => unknown>>

/** Options of `defineEvent`. */
export interface EventOptions<Schema extends EventSchema> {
  /** Current version of the event's data. Bump it when the shape changes and add an upcaster. @default 1 */
  readonly v?: number
  /** Validates data at `emit`; an event that fails is refused with `EventsError` code `invalid-event`. */
  readonly schema: Schema
  /**
   * Upcasters, one per older version: `{ 1: (v1) => v2, 2: (v2) => v3 }`. They run at read time; the stored
   * log is never rewritten. They must be pure: every replica must upcast an event to the same data.
   * @default {}
   */
  readonly upcast?: Upcasters
}

/** A typed, versioned event: the result of `defineEvent`. */
export interface EventDefinition<Type extends string = string, Data = unknown> {
  /** The event's type name, stored with every event. Keep it short (≤ 12 characters keeps envelopes small). */
  readonly type: Type
  /** The current version; events of older versions are upcast to it when read. */
  readonly v: number
  /** Validates data for `emit` (synchronous). */
  readonly validate: (data: unknown) => { readonly value: Data } | { readonly issues: readonly EventIssue[] }
  /** Upcasts stored data of version `from` to `v`; `undefined` when no path exists (the event is parked). */
  readonly upcast: (data: unknown, from: number) => { readonly data: Data } | undefined
}

/** Any event definition, whatever its type and data. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type AnyEventDefinition = EventDefinition<string, any>

/**
 * Defines an event type.
 * @example
 * const cardMoved = defineEvent('card.moved', { v: 2, schema: CardMoved, upcast: { 1: (d: V1) => ({ ...d, position: 0 }) } })
 */
export function defineEvent<const Type extends string, Schema extends EventSchema>(
  type: Type,
  options: EventOptions<Schema>,
): EventDefinition<Type, DataOfSchema<Schema>> {
  const v = options.v ?? 1
  if (type.length === 0) throw new EventsError(EventsErrorCode.InvalidDefinition, 'An event type must not be empty')
  if (!Number.isInteger(v) || v < 1) {
    throw new EventsError(EventsErrorCode.InvalidDefinition, `Event '${type}': v must be an integer ≥ 1, got ${v}`)
  }
  const upcasters = (options.upcast ?? {}) as Record<number, (data: unknown) => unknown>
  const schema = options.schema
  type Data = DataOfSchema<Schema>
  return Object.freeze({
    type,
    v,
    validate: (data: unknown) => validate<Data>(type, schema, data),
    upcast: (data: unknown, from: number) => {
      if (!Number.isInteger(from) || from < 1 || from > v) return undefined
      let current = data
      for (let version = from; version < v; version++) {
        const step = upcasters[version]
        if (step === undefined) return undefined
        current = step(current)
      }
      return { data: current as Data }
    },
  })
}

function validate<Data>(
  type: string,
  schema: EventSchema,
  data: unknown,
): { readonly value: Data } | { readonly issues: readonly EventIssue[] } {
  if (typeof schema === 'function') {
    return schema(data) ? { value: data as Data } : { issues: [{ message: `Data does not satisfy the guard of '${type}'` }] }
  }
  const result = schema['~standard'].validate(data)
  if (result instanceof Promise) {
    void result.catch(() => undefined) // refused anyway; do not leave a rejection unhandled
    throw new EventsError(EventsErrorCode.AsyncSchema, `The schema of '${type}' validates asynchronously; emit needs a synchronous schema`)
  }
  return result.issues ? { issues: result.issues } : { value: result.value as Data }
}
