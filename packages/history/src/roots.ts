import * as Y from 'yjs'
import { HistoryError } from './errors.js'
import type { AnyType } from './units.js'

/** The kinds a root type can be read as. `XmlFragment` is how ProseMirror and TipTap keep a document. */
export type RootKind = 'Map' | 'Array' | 'Text' | 'XmlFragment'

/** Root kinds the caller knows, by root name; they win over what the content suggests. */
export type RootKinds = Readonly<Record<string, RootKind>>

const constructors = { Map: Y.Map, Array: Y.Array, Text: Y.Text, XmlFragment: Y.XmlFragment } as const

/** Loads an update into a fresh document; a bad update is a typed error, not a Yjs exception. */
export const loadDoc = (update: Uint8Array, what: string): Y.Doc => {
  const doc = new Y.Doc()
  try {
    Y.applyUpdate(doc, update)
  } catch (cause) {
    doc.destroy()
    throw new HistoryError('invalidUpdate', `${what} is not a valid Yjs update`, { cause })
  }
  return doc
}

const isXml = (type: AnyType): boolean =>
  type instanceof Y.XmlElement || type instanceof Y.XmlText || type instanceof Y.XmlHook

/**
 * What a root's stored structs say about its kind. An update does not record kinds, so this reads the
 * content (deleted items included, while not garbage-collected): characters or formatting make a Text,
 * only XML children an XmlFragment, other sequence content an Array, only keyed entries a Map.
 * `undefined` when nothing tells (an empty root, or one whose content was all garbage-collected).
 */
const inferKind = (type: AnyType): RootKind | undefined => {
  for (const [kind, constructor] of Object.entries(constructors)) {
    if (type.constructor === constructor) return kind as RootKind
  }
  let sawXml = false
  let sawOther = false
  for (let item = type._start; item !== null; item = item.right) {
    const content = item.content
    if (content instanceof Y.ContentString || content instanceof Y.ContentFormat || content instanceof Y.ContentEmbed) return 'Text'
    if (content instanceof Y.ContentDeleted) continue
    if (content instanceof Y.ContentType && isXml(content.type)) sawXml = true
    else sawOther = true
  }
  if (sawOther) return 'Array'
  if (sawXml) return 'XmlFragment'
  return type._map.size > 0 ? 'Map' : undefined
}

/** One kind for a root seen in two states; Array covers XmlFragment (a fragment's content is a sequence too). */
const reconcile = (name: string, a: RootKind | undefined, b: RootKind | undefined): RootKind | undefined => {
  if (a === undefined || a === b) return b ?? a
  if (b === undefined) return a
  const pair = new Set([a, b])
  if (pair.has('Array') && pair.has('XmlFragment')) return 'Array'
  throw new HistoryError('conflictingRootKinds', `root ${JSON.stringify(name)} is a ${a} in one state and a ${b} in the other`)
}

/** Every root name of the documents with the kind to read it as; roots whose kind nothing tells are left out. */
export const resolveRootKinds = (docs: readonly Y.Doc[], known: RootKinds = {}): Map<string, RootKind> => {
  const kinds = new Map<string, RootKind>()
  const names = new Set<string>(Object.keys(known))
  for (const doc of docs) for (const name of doc.share.keys()) names.add(name)
  for (const name of [...names].sort()) {
    const fixed = known[name]
    if (fixed !== undefined) {
      kinds.set(name, fixed)
      continue
    }
    let kind: RootKind | undefined
    for (const doc of docs) {
      const type = doc.share.get(name)
      if (type !== undefined) kind = reconcile(name, kind, inferKind(type))
    }
    if (kind !== undefined) kinds.set(name, kind)
  }
  return kinds
}

/** The root `name` of `doc`, read as `kind`. */
export const rootOf = (doc: Y.Doc, name: string, kind: RootKind): AnyType => {
  let root: AnyType
  try {
    root = doc.get(name, constructors[kind] as unknown as typeof Y.AbstractType)
  } catch (cause) {
    throw new HistoryError('conflictingRootKinds', `root ${JSON.stringify(name)} cannot be read as a ${kind}`, { cause })
  }
  if (root instanceof Y.Text) withoutSearchMarkersIfFormatted(root)
  return root
}

/**
 * A root text typed after its content was loaded misses what integrating formatting does to a text typed
 * before: search markers off (they do not track attributes, and Yjs 13's `delete` through one drops a
 * formatting mark it must keep) and `_hasFormatting` on.
 */
const withoutSearchMarkersIfFormatted = (text: Y.Text): void => {
  for (let item = text._start; item !== null; item = item.right) {
    if (item.content instanceof Y.ContentFormat) {
      text._searchMarker = null
      text._hasFormatting = true
      return
    }
  }
}
