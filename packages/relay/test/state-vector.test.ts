import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import * as Y from 'yjs'
import { stateVectorOfUpdate } from '../src/state-vector.js'
import { isValidUpdate } from '../src/validate.js'

const expectSameAsYjs = (update: Uint8Array): void => {
  expect(Buffer.from(stateVectorOfUpdate(update)).toString('hex')).toBe(Buffer.from(Y.encodeStateVectorFromUpdate(update)).toString('hex'))
}

/** Updates of three clients editing text (with emoji and other multi-byte text), a map and an array. */
const editingSession = (): Uint8Array[] => {
  const updates: Uint8Array[] = []
  const docs = [1, 2, 3].map((clientID) => {
    const doc = new Y.Doc()
    doc.clientID = clientID
    doc.on('update', (update: Uint8Array) => updates.push(update))
    return doc
  })
  const texts = ['plain ', 'ünïcödé ', '😀🎉 emoji ', '中文 ']
  for (let round = 0; round < 12; round++) {
    const doc = docs[round % docs.length]!
    const text = doc.getText('t')
    text.insert(Math.min(round * 3, text.length), texts[round % texts.length]!, round % 4 === 0 ? { bold: true } : undefined)
    if (round % 5 === 4) text.delete(0, 2)
    doc.getMap('m').set(`k${round}`, { round, list: [round, 'x'] })
    doc.getArray('a').insert(0, [round, new Uint8Array([round])])
    for (const other of docs) if (other !== doc) Y.applyUpdate(other, Y.encodeStateAsUpdate(doc))
  }
  return updates
}

describe('stateVectorOfUpdate', () => {
  it('equals Yjs for whole documents, single edits and merges with gaps', () => {
    const updates = editingSession()
    expectSameAsYjs(new Uint8Array([0, 0]))
    expectSameAsYjs(Y.mergeUpdates(updates))
    // Single edits start past clock 0: Yjs leaves those clients out.
    for (const update of updates) expectSameAsYjs(update)
    // Every other update merged: the missing ones leave Skips between structs of one client.
    const sparse = Y.mergeUpdates(updates.filter((_, i) => i % 2 === 0))
    expect(sparse.includes(10)).toBe(true)
    expectSameAsYjs(sparse)
    expectSameAsYjs(Y.mergeUpdates(updates.slice(0, 5)))
  })

  it('equals Yjs for any merge of any subset of random editing sessions', () => {
    const edit = fc.record({ client: fc.integer({ min: 1, max: 4 }), at: fc.nat(), text: fc.string({ unit: 'grapheme', minLength: 1, maxLength: 4 }), remove: fc.nat({ max: 3 }), key: fc.nat({ max: 3 }) })
    fc.assert(fc.property(fc.array(edit, { minLength: 1, maxLength: 25 }), fc.array(fc.boolean(), { minLength: 25, maxLength: 25 }), (edits, keep) => {
      const updates: Uint8Array[] = []
      const docs = new Map<number, Y.Doc>()
      for (const { client, at, text, remove, key } of edits) {
        let doc = docs.get(client)
        if (!doc) {
          doc = new Y.Doc()
          doc.clientID = client
          doc.on('update', (update: Uint8Array) => updates.push(update))
          for (const other of docs.values()) Y.applyUpdate(doc, Y.encodeStateAsUpdate(other), 'sync')
          docs.set(client, doc)
        }
        const t = doc.getText('t')
        t.insert(at % (t.length + 1), text)
        if (remove > 0 && t.length > 0) t.delete(at % t.length, Math.min(remove, t.length - (at % t.length)))
        doc.getMap('m').set(`k${key}`, text)
      }
      const own = updates.filter((_, i) => keep[i % keep.length])
      expectSameAsYjs(Y.mergeUpdates(updates))
      if (own.length > 0) expectSameAsYjs(Y.mergeUpdates(own))
      for (const update of own) expectSameAsYjs(update)
    }), { numRuns: 200 })
  })

  it('counts text in UTF-16 code units as Yjs does', () => {
    const doc = new Y.Doc()
    doc.getText('t').insert(0, 'a😀ü中')
    const update = Y.encodeStateAsUpdate(doc)
    expectSameAsYjs(update)
    // 'a' 1 + '😀' 2 + 'ü' 1 + '中' 1 = 5.
    expect(Y.decodeStateVector(stateVectorOfUpdate(update)).get(doc.clientID)).toBe(5)
  })

  it('falls back to Yjs for bytes the walk refuses', () => {
    expect(() => stateVectorOfUpdate(new Uint8Array([1, 2, 3]))).toThrow()
  })
})

describe('string content', () => {
  it('is refused when it is not UTF-8, as Yjs refuses it', () => {
    const doc = new Y.Doc()
    doc.getText('t').insert(0, 'abcdef')
    const update = Y.encodeStateAsUpdate(doc)
    const bad = update.slice()
    bad[bad.indexOf('c'.charCodeAt(0))] = 0xff
    expect(isValidUpdate(update)).toBe(true)
    expect(isValidUpdate(bad)).toBe(false)
    expect(() => Y.applyUpdate(new Y.Doc(), bad)).toThrow()
  })
})
