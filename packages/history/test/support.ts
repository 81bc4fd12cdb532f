import fc from 'fast-check'
import * as Y from 'yjs'

/** A document state as one update. */
export const stateOf = (doc: Y.Doc): Uint8Array => Y.encodeStateAsUpdate(doc)

/** A fresh document holding `update`. */
export const docOf = (update: Uint8Array): Y.Doc => {
  const doc = new Y.Doc()
  Y.applyUpdate(doc, update)
  return doc
}

/** Exchanges everything two documents lack, both ways. */
export const sync = (a: Y.Doc, b: Y.Doc): void => {
  Y.applyUpdate(b, Y.encodeStateAsUpdate(a, Y.encodeStateVector(b)))
  Y.applyUpdate(a, Y.encodeStateAsUpdate(b, Y.encodeStateVector(a)))
}

interface DeltaOp { insert: unknown; attributes?: Record<string, unknown> }

/**
 * A text's delta with adjacent runs of equal formatting joined: Yjs may leave formatting marks around deleted
 * characters, which splits a run in `toDelta` without changing the content.
 */
export const textContent = (text: Y.Text): DeltaOp[] => {
  const joined: DeltaOp[] = []
  for (const op of text.toDelta() as DeltaOp[]) {
    const last = joined[joined.length - 1]
    if (last !== undefined && typeof last.insert === 'string' && typeof op.insert === 'string'
      && JSON.stringify(last.attributes ?? {}) === JSON.stringify(op.attributes ?? {})) last.insert += op.insert
    else joined.push({ ...op })
  }
  return joined
}

/** Content of the roots `m` (Map), `a` (Array), `t` (Text) as the tests compare it. */
export const content = (doc: Y.Doc): unknown => ({
  m: doc.getMap('m').toJSON(),
  a: doc.getArray('a').toJSON(),
  t: textContent(doc.getText('t')),
})

/** One random edit of the roots `m`, `a`, `t`; positions are taken modulo the current length. */
export type Edit =
  | { op: 'mapSet'; key: string; value: number }
  | { op: 'mapDelete'; key: string }
  | { op: 'mapNested'; key: string; text: string }
  | { op: 'arrayInsert'; at: number; values: number[] }
  | { op: 'arrayInsertMap'; at: number; value: number }
  | { op: 'arrayDelete'; at: number; length: number }
  | { op: 'arrayEditNested'; at: number; value: number }
  | { op: 'textInsert'; at: number; text: string; bold: boolean }
  | { op: 'textDelete'; at: number; length: number }
  | { op: 'textFormat'; at: number; length: number; attributes: Record<string, unknown> }

const key = fc.constantFrom('a', 'b', 'c', 'd')
const at = fc.nat({ max: 1000 })
export const anyEdit: fc.Arbitrary<Edit> = fc.oneof(
  fc.record({ op: fc.constant('mapSet' as const), key, value: fc.integer() }),
  fc.record({ op: fc.constant('mapDelete' as const), key }),
  fc.record({ op: fc.constant('mapNested' as const), key, text: fc.string({ maxLength: 4 }) }),
  fc.record({ op: fc.constant('arrayInsert' as const), at, values: fc.array(fc.integer(), { minLength: 1, maxLength: 3 }) }),
  fc.record({ op: fc.constant('arrayInsertMap' as const), at, value: fc.integer() }),
  fc.record({ op: fc.constant('arrayDelete' as const), at, length: fc.integer({ min: 1, max: 3 }) }),
  fc.record({ op: fc.constant('arrayEditNested' as const), at, value: fc.integer() }),
  fc.record({ op: fc.constant('textInsert' as const), at, text: fc.string({ minLength: 1, maxLength: 5 }), bold: fc.boolean() }),
  fc.record({ op: fc.constant('textDelete' as const), at, length: fc.integer({ min: 1, max: 4 }) }),
  fc.record({
    op: fc.constant('textFormat' as const), at, length: fc.integer({ min: 1, max: 5 }),
    attributes: fc.constantFrom<Record<string, unknown>>({ bold: true }, { bold: null }, { italic: true }, { link: { href: 'x' } }, { link: null }),
  }),
)

/** Applies one edit (one transaction); edits that do not fit the current content do nothing. */
export const applyEdit = (doc: Y.Doc, edit: Edit): void => {
  const map = doc.getMap<unknown>('m')
  const array = doc.getArray<unknown>('a')
  const text = doc.getText('t')
  doc.transact(() => {
    switch (edit.op) {
      case 'mapSet': return void map.set(edit.key, edit.value)
      case 'mapDelete': return void map.delete(edit.key)
      case 'mapNested': return void map.set(edit.key, new Y.Text(edit.text))
      case 'arrayInsert': return array.insert(edit.at % (array.length + 1), edit.values)
      case 'arrayInsertMap': return array.insert(edit.at % (array.length + 1), [new Y.Map([['v', edit.value]])])
      case 'arrayDelete': {
        if (array.length === 0) return
        const index = edit.at % array.length
        return array.delete(index, Math.min(edit.length, array.length - index))
      }
      case 'arrayEditNested': {
        const nested = array.toArray().filter((value): value is Y.Map<unknown> => value instanceof Y.Map)
        if (nested.length > 0) nested[edit.at % nested.length]!.set('v', edit.value)
        return
      }
      case 'textInsert': return text.insert(edit.at % (text.length + 1), edit.text, edit.bold ? { bold: true } : {})
      case 'textDelete': {
        if (text.length === 0) return
        const index = edit.at % text.length
        return text.delete(index, Math.min(edit.length, text.length - index))
      }
      case 'textFormat': {
        if (text.length === 0) return
        const index = edit.at % text.length
        return text.format(index, Math.min(edit.length, text.length - index), edit.attributes)
      }
    }
  })
}
