import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import * as Y from 'yjs'
import { mergeUpdates, mergeWithoutDecoding } from '../src/merge-updates.js'

const hex = (bytes: Uint8Array): string => Buffer.from(bytes).toString('hex')
const expectSameAsYjs = (updates: Uint8Array[]): void => {
  expect(hex(mergeUpdates(updates))).toBe(hex(Y.mergeUpdates(updates)))
}

interface Edit { client: number; at: number; text: string; remove: number; key: number; gc: boolean }

/** The updates of clients editing text, a map and an array, each client joining with the state so far. */
const session = (edits: readonly Edit[]): { updates: Uint8Array[]; docs: Y.Doc[] } => {
  const updates: Uint8Array[] = []
  const docs = new Map<number, Y.Doc>()
  for (const { client, at, text, remove, key, gc } of edits) {
    let doc = docs.get(client)
    if (!doc) {
      doc = new Y.Doc({ gc })
      doc.clientID = client
      // What a client sends is its own edits; the state it joined with came from the others.
      doc.on('update', (update: Uint8Array, origin: unknown) => {
        if (origin !== 'sync') updates.push(update)
      })
      for (const other of docs.values()) Y.applyUpdate(doc, Y.encodeStateAsUpdate(other), 'sync')
      docs.set(client, doc)
    }
    const t = doc.getText('t')
    t.insert(at % (t.length + 1), text, key === 0 ? { bold: true } : undefined)
    if (remove > 0 && t.length > 0) t.delete(at % t.length, Math.min(remove, t.length - (at % t.length)))
    doc.getMap('m').set(`k${key}`, key === 1 ? { text, list: [key] } : text)
    if (key === 2) doc.getArray('a').insert(0, [new Uint8Array([at % 256]), text])
  }
  return { updates, docs: [...docs.values()] }
}

const edit = fc.record({
  client: fc.integer({ min: 1, max: 5 }),
  at: fc.nat(),
  text: fc.string({ unit: 'grapheme', minLength: 1, maxLength: 4 }),
  remove: fc.nat({ max: 3 }),
  key: fc.nat({ max: 3 }),
  gc: fc.boolean(),
})

describe('mergeUpdates', () => {
  it('is Yjs\'s merge, byte for byte, for any subset of any editing session, merged in any grouping', () => {
    fc.assert(fc.property(fc.array(edit, { minLength: 1, maxLength: 30 }), fc.array(fc.boolean(), { minLength: 30, maxLength: 30 }), fc.integer({ min: 1, max: 6 }), (edits, keep, group) => {
      const { updates, docs } = session(edits)
      expectSameAsYjs(updates)
      // What clients send never needs Yjs's merge, nor do subsets of it (gaps between one client's runs: Skips).
      expect(mergeWithoutDecoding(updates)).not.toBeNull()
      const some = updates.filter((_, i) => keep[i % keep.length])
      if (some.length > 0) {
        expectSameAsYjs(some)
        expect(mergeWithoutDecoding(some)).not.toBeNull()
      }
      // Merges of merges, as the relay's tail does; and whole documents (with GC structs when gc is on).
      const chunks: Uint8Array[] = []
      for (let i = 0; i < updates.length; i += group) chunks.push(Y.mergeUpdates(updates.slice(i, i + group)))
      expectSameAsYjs(chunks)
      expectSameAsYjs([...docs.map(doc => Y.encodeStateAsUpdate(doc)), ...updates.slice(-3)])
    }), { numRuns: 300 })
  })

  it('gives overlapping and repeated updates to Yjs', () => {
    const { updates, docs } = session([
      { client: 1, at: 0, text: 'hello', remove: 0, key: 0, gc: true },
      { client: 2, at: 3, text: 'world', remove: 2, key: 1, gc: true },
      { client: 1, at: 1, text: '😀', remove: 1, key: 2, gc: true },
    ])
    const overlapping = [[updates[0]!, updates[0]!], [Y.encodeStateAsUpdate(docs[0]!), ...updates], [Y.mergeUpdates(updates.slice(0, 2)), Y.mergeUpdates(updates.slice(1))]]
    for (const batch of overlapping) {
      expect(mergeWithoutDecoding(batch)).toBeNull()
      expectSameAsYjs(batch)
    }
  })

  it('merges many single edits of many writers into what each would have sent alone', () => {
    const writers = Array.from({ length: 48 }, (_, i) => {
      const doc = new Y.Doc()
      doc.clientID = i + 1
      return doc
    })
    const updates: Uint8Array[] = []
    for (const doc of writers) doc.on('update', (update: Uint8Array) => updates.push(update))
    for (let round = 0; round < 20; round++) for (const doc of writers) doc.getText('t').insert(0, `${round} `)
    const merged = mergeUpdates(updates)
    expect(hex(merged)).toBe(hex(Y.mergeUpdates(updates)))
    const reader = new Y.Doc()
    Y.applyUpdate(reader, merged)
    expect(reader.getText('t').length).toBe(writers.reduce((sum, doc) => sum + doc.getText('t').length, 0))
  })

  it('leaves malformed input to Yjs, which throws as before', () => {
    const good = session([{ client: 1, at: 0, text: 'a', remove: 0, key: 3, gc: true }]).updates[0]!
    const bad = new Uint8Array([1, 5, 1])
    expect(() => mergeUpdates([good, bad])).toThrow()
    expect(() => Y.mergeUpdates([good, bad])).toThrow()
  })
})
