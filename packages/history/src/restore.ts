import * as Y from 'yjs'
import { equalityDeep } from 'lib0/function'
import { loadDoc, resolveRootKinds, rootOf, type RootKinds } from './roots.js'
import { runContent, runsOf, type Run } from './runs.js'
import { entriesOf, type AnyType } from './units.js'

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
 * Walks both states' runs together. Runs only in the current state are deleted, runs only in the version are
 * inserted where they stood, shared runs are kept (handed to `keep` in pieces both sides agree on).
 * Shared elements are in the same relative order in both states, since Yjs never reorders structs.
 */
const mergeRuns = (
  current: readonly Run[],
  version: readonly Run[],
  ops: {
    delete(index: number, length: number): void
    insert(index: number, run: Run): number
    keep(index: number, length: number, now: Run, then: Run, thenOffset: number): void
  },
): void => {
  let index = 0
  let i = 0
  let j = 0
  let nowUsed = 0
  let thenUsed = 0
  let deletes = 0
  const flushDeletes = (): void => {
    if (deletes > 0) ops.delete(index, deletes)
    deletes = 0
  }
  while (i < current.length || j < version.length) {
    const now = current[i]
    const then = version[j]
    if (now !== undefined && !now.shared) {
      deletes += now.length
      i++
    } else if (then !== undefined && !then.shared) {
      flushDeletes()
      index += ops.insert(index, then)
      j++
    } else {
      flushDeletes()
      const length = Math.min(now!.length - nowUsed, then!.length - thenUsed)
      ops.keep(index, length, now!, then!, thenUsed)
      index += length
      nowUsed += length
      thenUsed += length
      if (nowUsed === now!.length) { i++; nowUsed = 0 }
      if (thenUsed === then!.length) { j++; thenUsed = 0 }
    }
  }
  flushDeletes()
}

const nestedOf = (run: Run): AnyType | null => (run.item.content instanceof Y.ContentType ? run.item.content.type : null)

const restoreSequence = (current: Y.Array<unknown> | Y.XmlFragment | Y.XmlElement, version: AnyType): void => {
  mergeRuns(runsOf(current, version.doc!), runsOf(version, current.doc!), {
    delete: (index, length) => current.delete(index, length),
    insert: (index, run) => {
      const values = (runContent(run) as unknown[]).map(copyOf).filter(value => !(value instanceof Y.Doc))
      ;(current as Y.Array<unknown>).insert(index, values)
      return values.length
    },
    keep: (_index, _length, now, then) => {
      const nested = nestedOf(now)
      if (nested !== null) restoreType(nested, nestedOf(then)!)
    },
  })
}

const restoreText = (current: Y.Text, version: Y.Text): void => {
  mergeRuns(runsOf(current, version.doc!), runsOf(version, current.doc!), {
    delete: (index, length) => current.delete(index, length),
    insert: (index, run) => {
      const content = runContent(run)
      // `insert*` fills in the attributes object it is given: pass copies.
      if (typeof content === 'string') current.insert(index, content, { ...run.attributes })
      else current.insertEmbed(index, copyOf(content[0]) as object, { ...run.attributes })
      return run.length
    },
    keep: (index, length, now, then) => {
      const nested = nestedOf(now)
      if (nested !== null) restoreType(nested, nestedOf(then)!)
      if (!sameAttributes(now.attributes, then.attributes)) current.format(index, length, attributePatch(now.attributes, then.attributes))
    },
  })
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
