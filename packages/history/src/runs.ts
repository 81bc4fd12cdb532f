import * as Y from 'yjs'
import { visibleItems, type AnyType } from './units.js'

/**
 * A run of consecutive visible elements of one struct (characters of a string, values of an array item, one
 * child or embed), all either present in the other state or all absent from it. Runs are what `unitsOf`
 * gives per element, but per struct: a 4 MiB text is ~10⁵ runs, not ~10⁶ units.
 */
export interface Run {
  client: number
  /** Clock of the run's first element. */
  clock: number
  length: number
  item: Y.Item
  /** Index of the run's first element within `item`. */
  offset: number
  /** Whether the other state holds these elements too (visible). */
  shared: boolean
  /** Text only: formatting in effect. */
  attributes: Readonly<Record<string, unknown>>
}

/** Index of the struct holding `clock` (plain binary search: Yjs's `findIndexSS` guesses a pivot, slow on random lookups). */
const structAt = (structs: readonly (Y.Item | Y.GC)[], clock: number): number => {
  let low = 0
  let high = structs.length - 1
  while (low < high) {
    const mid = (low + high + 1) >>> 1
    if (structs[mid]!.id.clock <= clock) low = mid
    else high = mid - 1
  }
  return low
}

/** Splits `[clock, clock + length)` of `client` into pieces visible / not visible in `doc`. */
const visibility = (doc: Y.Doc, client: number, clock: number, length: number): { length: number; visible: boolean }[] => {
  const structs = doc.store.clients.get(client) as (Y.Item | Y.GC)[] | undefined
  const end = clock + length
  const last = structs?.[structs.length - 1]
  const known = last === undefined ? 0 : Math.min(end, last.id.clock + last.length)
  if (structs === undefined || known <= clock) return [{ length, visible: false }]
  const pieces: { length: number; visible: boolean }[] = []
  const push = (size: number, visible: boolean): void => {
    const last = pieces[pieces.length - 1]
    if (last !== undefined && last.visible === visible) last.length += size
    else pieces.push({ length: size, visible })
  }
  let at = clock
  for (let index = structAt(structs, clock); at < known; index++) {
    const struct = structs[index]!
    const structEnd = Math.min(known, struct.id.clock + struct.length)
    push(structEnd - at, struct instanceof Y.Item && !struct.deleted && struct.countable)
    at = structEnd
  }
  if (at < end) push(end - at, false)
  return pieces
}

/** The visible runs of `type`'s sequence, split where presence in `other` changes. */
export const runsOf = (type: AnyType, other: Y.Doc): Run[] => {
  const runs: Run[] = []
  for (const { item, attributes } of visibleItems(type)) {
    let offset = 0
    for (const piece of visibility(other, item.id.client, item.id.clock, item.length)) {
      runs.push({ client: item.id.client, clock: item.id.clock + offset, length: piece.length, item, offset, shared: piece.visible, attributes })
      offset += piece.length
    }
  }
  return runs
}

/** The elements of a run: a string for text characters, else the values. */
export const runContent = (run: Run): string | unknown[] => {
  const content = run.item.content
  if (content instanceof Y.ContentString) return content.str.slice(run.offset, run.offset + run.length)
  return content.getContent().slice(run.offset, run.offset + run.length)
}
