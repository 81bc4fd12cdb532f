import * as Y from 'yjs'
import { equalityDeep } from 'lib0/function'
import { loadDoc, resolveRootKinds, rootOf, type RootKinds } from './roots.js'
import { entriesOf, type AnyType, toPlain, unitsOf, type Unit } from './units.js'

/**
 * Where a change is: the root's name, then map keys (strings) and sequence indexes (numbers). XML and text
 * attributes are named `@name`. Indexes of removed content count in the older version, all others in the newer.
 */
export type VersionPath = readonly (string | number)[]

/** A run of characters in a text: `index` and `text.length` in UTF-16 code units, as Y.Text counts. */
export interface TextRange { index: number; text: string }

/** A run of kept characters whose formatting changed; `attributes` is what changed (null: removed). */
export interface FormatRange { index: number; length: number; attributes: Record<string, unknown> }

/** One difference between two versions, as `diffVersions` reports it. */
export type VersionChange =
  | { kind: 'added'; path: VersionPath; value: unknown }
  | { kind: 'removed'; path: VersionPath; value: unknown }
  | { kind: 'changed'; path: VersionPath; before: unknown; after: unknown }
  /** A Y.Text (or XmlText) whose characters or formatting differ; indexes of `deleted` count in the older text. */
  | { kind: 'text'; path: VersionPath; inserted: TextRange[]; deleted: TextRange[]; formatted: FormatRange[] }

/** Options of `diffVersions`. */
export interface DiffOptions {
  /** Kinds of roots the app knows; others are read from the content. */
  roots?: RootKinds
}

const attributeSegment = (type: AnyType, name: string): string => (type instanceof Y.Map ? name : `@${name}`)

const sameType = (a: unknown, b: unknown): a is AnyType =>
  a instanceof Y.AbstractType && b instanceof Y.AbstractType && a.constructor === b.constructor

const diffEntries = (path: VersionPath, a: AnyType, b: AnyType, out: VersionChange[]): void => {
  const before = entriesOf(a)
  const after = entriesOf(b)
  for (const [name, entry] of before) {
    if (!after.has(name)) out.push({ kind: 'removed', path: [...path, attributeSegment(a, name)], value: toPlain(entry.value) })
  }
  for (const [name, entry] of after) {
    const at = [...path, attributeSegment(b, name)]
    const old = before.get(name)
    if (old === undefined) out.push({ kind: 'added', path: at, value: toPlain(entry.value) })
    else if (old.key === entry.key && sameType(old.value, entry.value)) diffType(at, old.value, entry.value as AnyType, out)
    else if (!equalityDeep(toPlain(old.value), toPlain(entry.value))) {
      out.push({ kind: 'changed', path: at, before: toPlain(old.value), after: toPlain(entry.value) })
    }
  }
}

/**
 * Walks two unit lists by id (see `Unit`): `removed` gets runs of units only in `a` with their index in `a`,
 * `added` those only in `b` with their index in `b`, `kept` every shared unit with its index in `b`.
 */
const walkUnits = (
  a: readonly Unit[],
  b: readonly Unit[],
  visit: { removed(index: number, unit: Unit): void; added(index: number, unit: Unit): void; kept(index: number, before: Unit, after: Unit): void },
): void => {
  const inA = new Set(a.map(unit => unit.key))
  const inB = new Set(b.map(unit => unit.key))
  for (let i = 0; i < a.length; i++) if (!inB.has(a[i]!.key)) visit.removed(i, a[i]!)
  let i = 0
  for (let j = 0; j < b.length; j++) {
    const unit = b[j]!
    if (!inA.has(unit.key)) {
      visit.added(j, unit)
      continue
    }
    while (!inB.has(a[i]!.key)) i++
    visit.kept(j, a[i]!, unit)
    i++
  }
}

const diffSequence = (path: VersionPath, a: AnyType, b: AnyType, out: VersionChange[]): void => {
  walkUnits(unitsOf(a), unitsOf(b), {
    removed: (index, unit) => out.push({ kind: 'removed', path: [...path, index], value: toPlain(unit.value) }),
    added: (index, unit) => out.push({ kind: 'added', path: [...path, index], value: toPlain(unit.value) }),
    kept: (index, before, after) => {
      if (sameType(before.value, after.value)) diffType([...path, index], before.value, after.value as AnyType, out)
    },
  })
}

/** Appends a unit to the last range if it continues it, else starts a new one. */
const extend = (ranges: TextRange[], index: number, unit: Unit): void => {
  const last = ranges[ranges.length - 1]
  const char = unit.isChar ? (unit.value as string) : '\uFFFC'
  if (last !== undefined && last.index + last.text.length === index) last.text += char
  else ranges.push({ index, text: char })
}

const diffText = (path: VersionPath, a: Y.Text, b: Y.Text, out: VersionChange[]): void => {
  const inserted: TextRange[] = []
  const deleted: TextRange[] = []
  const formatted: FormatRange[] = []
  const nested: VersionChange[] = []
  walkUnits(unitsOf(a), unitsOf(b), {
    removed: (index, unit) => extend(deleted, index, unit),
    added: (index, unit) => extend(inserted, index, unit),
    kept: (index, before, after) => {
      if (sameType(before.value, after.value)) diffType([...path, index], before.value, after.value as AnyType, nested)
      if (before.attributes === after.attributes || equalityDeep(before.attributes, after.attributes)) return
      const attributes: Record<string, unknown> = {}
      for (const [key, value] of Object.entries(after.attributes)) if (!equalityDeep(before.attributes[key], value)) attributes[key] = value
      for (const key of Object.keys(before.attributes)) if (!(key in after.attributes)) attributes[key] = null
      const last = formatted[formatted.length - 1]
      if (last !== undefined && last.index + last.length === index && equalityDeep(last.attributes, attributes)) last.length++
      else formatted.push({ index, length: 1, attributes })
    },
  })
  if (inserted.length + deleted.length + formatted.length > 0) out.push({ kind: 'text', path, inserted, deleted, formatted })
  out.push(...nested)
}

const diffType = (path: VersionPath, a: AnyType, b: AnyType, out: VersionChange[]): void => {
  if (!(a instanceof Y.XmlFragment) || a instanceof Y.XmlElement) diffEntries(path, a, b, out)
  if (a instanceof Y.Text) diffText(path, a, b as Y.Text, out)
  else if (a instanceof Y.Array || a instanceof Y.XmlFragment) diffSequence(path, a, b, out)
}

/**
 * What changed from version `older` to version `newer` (both full states of one document, as updates): a
 * path-level structural diff of their content, and for texts the inserted, deleted and re-formatted ranges.
 * Content is matched by identity, not by value: a value deleted and typed again is `removed` + `added`.
 *
 * @example
 * for (const change of diffVersions(v1, v2)) console.log(change.kind, change.path.join('.'))
 */
export const diffVersions = (older: Uint8Array, newer: Uint8Array, options: DiffOptions = {}): VersionChange[] => {
  const a = loadDoc(older, 'the older version')
  const b = loadDoc(newer, 'the newer version')
  try {
    const changes: VersionChange[] = []
    for (const [name, kind] of resolveRootKinds([a, b], options.roots)) diffType([name], rootOf(a, name, kind), rootOf(b, name, kind), changes)
    return changes
  } finally {
    a.destroy()
    b.destroy()
  }
}
