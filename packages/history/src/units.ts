import * as Y from 'yjs'

/** Any shared type; Yjs's event type parameter does not matter here. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type AnyType = Y.AbstractType<any>

/**
 * One visible element of a sequence (a character, an embed, an array value, a child node) with the id of
 * the struct that holds it. Two states of one document share ids for what both still contain, and Yjs keeps
 * such elements in the same relative order in both: matching by id tells exactly what was kept, removed
 * and added, without a textual diff, and keeps concurrent edits inside kept elements.
 */
export interface Unit {
  /** `client:clock` of this element. */
  key: string
  /** A character (Text), an embed, a value or a nested type. */
  value: unknown
  /** Text only: the formatting attributes in effect (shared by the units of one run). */
  attributes: Readonly<Record<string, unknown>>
  /** Text only: a character of a string, rather than an embed. */
  isChar: boolean
}

const NO_ATTRIBUTES: Readonly<Record<string, unknown>> = Object.freeze({})

/**
 * The visible, countable items of `type`'s sequence, in order, each with the text formatting in effect at
 * it (format items are folded into the attributes, not yielded).
 */
export function* visibleItems(type: AnyType): Generator<{ item: Y.Item; attributes: Readonly<Record<string, unknown>> }> {
  let attributes = NO_ATTRIBUTES
  for (let item = type._start; item !== null; item = item.right) {
    if (item.deleted) continue
    const content = item.content
    if (content instanceof Y.ContentFormat) {
      const next: Record<string, unknown> = { ...attributes }
      if (content.value === null) delete next[content.key]
      else next[content.key] = content.value
      attributes = next
      continue
    }
    if (item.countable) yield { item, attributes }
  }
}

/** The visible elements of `type`'s sequence, in order. */
export const unitsOf = (type: AnyType): Unit[] => {
  const units: Unit[] = []
  for (const { item, attributes } of visibleItems(type)) {
    const { client, clock } = item.id
    const isChar = item.content instanceof Y.ContentString
    // One unit per UTF-16 code unit, as Yjs counts clocks and text positions.
    const values = item.content.getContent()
    for (let offset = 0; offset < values.length; offset++) {
      units.push({ key: `${client}:${clock + offset}`, value: values[offset], attributes, isChar })
    }
  }
  return units
}

/** A keyed entry (Map value, XML or text attribute) that is present, with its struct's id. */
export interface Entry { key: string; value: unknown }

/** The present keyed entries of `type`, by name. */
export const entriesOf = (type: AnyType): Map<string, Entry> => {
  const entries = new Map<string, Entry>()
  for (const [name, item] of type._map) {
    if (item.deleted) continue
    const content = item.content.getContent()
    entries.set(name, { key: `${item.id.client}:${item.id.clock}`, value: content[content.length - 1] })
  }
  return entries
}

/** The value as plain JSON (nested types through their `toJSON`). */
export const toPlain = (value: unknown): unknown =>
  value instanceof Y.AbstractType ? (value.toJSON() as unknown) : value instanceof Y.Doc ? { guid: value.guid } : value
