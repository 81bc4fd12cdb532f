import * as Y from 'yjs'
import { equalityDeep } from 'lib0/function'
import { loadDoc, resolveRootKinds, rootOf, type RootKinds } from './roots.js'
import { entriesOf, type AnyType, unitsOf, type Unit } from './units.js'

/** Options of `restoreUpdate`. */
export interface RestoreOptions {
  /** Kinds of roots the app knows (e.g. `{ prosemirror: 'XmlFragment' }`); others are read from the content. */
  roots?: RootKinds
  /**
   * The Yjs client id the restore's changes are written under. Must not be in `current`'s state vector.
   * @default a random id below 2^16 that `current` does not use (see the README on conflicts)
   */
  clientId?: number
}

/** The empty Yjs update. */
const EMPTY_UPDATE: Uint8Array = new Uint8Array([0, 0])
const LOW_CLIENT_IDS = 2 ** 16

/**
 * A random low client id. Yjs orders concurrent inserts at one place, and concurrent sets of one map key, by
 * client id (the higher id ends up last, and a key's last value wins); real clients draw 32-bit ids, so an
 * edit made concurrently with the restore (an offline device) almost always wins over it.
 */
const pickClientId = (doc: Y.Doc): number => {
  for (;;) {
    const id = 1 + Math.floor(Math.random() * (LOW_CLIENT_IDS - 1))
    if (!doc.store.clients.has(id)) return id
  }
}

/** A copy of a version's value that can be inserted into another document. */
const copyOf = (value: unknown): unknown => (value instanceof Y.AbstractType ? value.clone() : value)

const sameAttributes = (a: Readonly<Record<string, unknown>>, b: Readonly<Record<string, unknown>>): boolean =>
  a === b || equalityDeep(a, b)

/** The `format` argument that turns attributes `from` into `to` (null removes one). */
const attributePatch = (from: Readonly<Record<string, unknown>>, to: Readonly<Record<string, unknown>>): Record<string, unknown> => {
  const patch: Record<string, unknown> = {}
  for (const [key, value] of Object.entries(to)) if (!equalityDeep(from[key], value)) patch[key] = value
  for (const key of Object.keys(from)) if (!(key in to)) patch[key] = null
  return patch
}

const setEntry = (type: AnyType, name: string, value: unknown): void => {
  if (type instanceof Y.Map) type.set(name, value)
  else (type as Y.XmlElement).setAttribute(name, value as string)
}

const deleteEntry = (type: AnyType, name: string): void => {
  if (type instanceof Y.Map) type.delete(name)
  else (type as Y.XmlElement).removeAttribute(name)
}

/** Keyed entries: those the version holds as the same struct stay (and are recursed into); others are set or removed. */
const restoreEntries = (current: AnyType, version: AnyType): void => {
  const now = entriesOf(current)
  const then = entriesOf(version)
  for (const name of now.keys()) if (!then.has(name)) deleteEntry(current, name)
  for (const [name, entry] of then) {
    const present = now.get(name)
    if (present?.key === entry.key) {
      if (present.value instanceof Y.AbstractType) restoreType(present.value, entry.value as AnyType)
    } else if (!(entry.value instanceof Y.Doc)) {
      // Subdocuments are separate documents with their own history: the current one stays.
      setEntry(current, name, copyOf(entry.value))
    }
  }
}

/**
 * Walks both unit lists together. Units only in the current state are deleted, units only in the version are
 * inserted where they stood, shared units are kept (and handed to `keep`). Adjacent work is batched.
 */
const mergeUnits = (
  current: readonly Unit[],
  version: readonly Unit[],
  ops: {
    delete(index: number, length: number): void
    insert(index: number, units: readonly Unit[]): void
    keep(index: number, now: Unit, then: Unit): void
  },
): void => {
  const inVersion = new Set(version.map(unit => unit.key))
  const inCurrent = new Set(current.map(unit => unit.key))
  let index = 0
  let deletes = 0
  let inserts: Unit[] = []
  const flush = (): void => {
    if (deletes > 0) ops.delete(index, deletes)
    if (inserts.length > 0) ops.insert(index, inserts)
    index += inserts.length
    deletes = 0
    inserts = []
  }
  let i = 0
  let j = 0
  while (i < current.length || j < version.length) {
    const now = current[i]
    const then = version[j]
    if (now !== undefined && !inVersion.has(now.key)) {
      deletes++
      i++
    } else if (then !== undefined && !inCurrent.has(then.key)) {
      inserts.push(then)
      j++
    } else {
      // Both shared: Yjs never reorders structs, so they are the same element.
      flush()
      ops.keep(index, now!, then!)
      index++
      i++
      j++
    }
  }
  flush()
}

const restoreSequence = (current: Y.Array<unknown> | Y.XmlFragment | Y.XmlElement, version: AnyType): void => {
  mergeUnits(unitsOf(current), unitsOf(version), {
    delete: (index, length) => current.delete(index, length),
    insert: (index, units) => {
      const values = units.map(unit => copyOf(unit.value)).filter(value => !(value instanceof Y.Doc))
      ;(current as Y.Array<unknown>).insert(index, values)
    },
    keep: (_index, now, then) => {
      if (now.value instanceof Y.AbstractType) restoreType(now.value, then.value as AnyType)
    },
  })
}

const restoreText = (current: Y.Text, version: Y.Text): void => {
  // Formatting of kept characters is changed in runs, not per character.
  let run: { index: number; length: number; from: Unit['attributes']; to: Unit['attributes'] } | null = null
  const flushRun = (): void => {
    if (run !== null) current.format(run.index, run.length, attributePatch(run.from, run.to))
    run = null
  }
  mergeUnits(unitsOf(current), unitsOf(version), {
    delete: (index, length) => {
      flushRun()
      current.delete(index, length)
    },
    insert: (index, units) => {
      flushRun()
      let at = index
      let start = 0
      while (start < units.length) {
        const first = units[start]!
        if (!first.isChar) {
          // `insert*` fills in the attributes object it is given: pass copies.
          current.insertEmbed(at++, copyOf(first.value) as object, { ...first.attributes })
          start++
          continue
        }
        let end = start + 1
        while (end < units.length && units[end]!.isChar && units[end]!.attributes === first.attributes) end++
        current.insert(at, units.slice(start, end).map(unit => unit.value as string).join(''), { ...first.attributes })
        at += end - start
        start = end
      }
    },
    keep: (index, now, then) => {
      if (now.value instanceof Y.AbstractType) restoreType(now.value, then.value as AnyType)
      if (sameAttributes(now.attributes, then.attributes)) return flushRun()
      if (run !== null && run.index + run.length === index && run.from === now.attributes && run.to === then.attributes) run.length++
      else {
        flushRun()
        run = { index, length: 1, from: now.attributes, to: then.attributes }
      }
    },
  })
  flushRun()
}

/** Makes `current`'s content equal to `version`'s (types of the same class, in two documents). */
const restoreType = (current: AnyType, version: AnyType): void => {
  if (current.constructor !== version.constructor) return
  if (!(current instanceof Y.XmlFragment) || current instanceof Y.XmlElement) restoreEntries(current, version)
  if (current instanceof Y.Text) restoreText(current, version as Y.Text)
  else if (current instanceof Y.Array || current instanceof Y.XmlFragment) restoreSequence(current, version)
}

/**
 * The Yjs update that, applied to `current` (a document's state), makes every root type's content equal to
 * `version`'s (an earlier state of the same document, as one update). It is an ordinary forward change: it
 * deletes what was added since, re-inserts copies of what was deleted since, and leaves kept content alone,
 * so edits made concurrently elsewhere (an offline device) merge with it. The empty update when nothing differs.
 *
 * @example
 * const update = restoreUpdate(Y.encodeStateAsUpdate(doc), versionBytes)
 * Y.applyUpdate(doc, update)
 */
export const restoreUpdate = (current: Uint8Array, version: Uint8Array, options: RestoreOptions = {}): Uint8Array => {
  const doc = loadDoc(current, 'the current state')
  const target = loadDoc(version, 'the version')
  try {
    const kinds = resolveRootKinds([doc, target], options.roots)
    doc.clientID = options.clientId ?? pickClientId(doc)
    // Yjs may follow the transaction with one of its own (removing formatting marks left redundant).
    const written: Uint8Array[] = []
    doc.on('update', (update: Uint8Array) => written.push(update))
    doc.transact(() => {
      for (const [name, kind] of kinds) restoreType(rootOf(doc, name, kind), rootOf(target, name, kind))
    })
    return written.length === 0 ? EMPTY_UPDATE : written.length === 1 ? written[0]! : Y.mergeUpdates(written)
  } finally {
    doc.destroy()
    target.destroy()
  }
}
