import { describe, expect, it } from 'vitest'
import * as Y from 'yjs'
import { isValidUpdate } from '../src/index.js'

const everyContentType = (): Y.Doc => {
  const doc = new Y.Doc()
  const text = doc.getText('t')
  text.insert(0, 'hello world', { bold: true })
  text.insertEmbed(5, { image: 'x.png' })
  text.format(0, 3, { italic: true })
  text.delete(1, 2)
  doc.getMap('m').set('any', { nested: [1, 2.5, -3, 'x', null, true, false, { deep: [[]] }], big: 10n ** 15n })
  doc.getMap('m').set('bytes', new Uint8Array([1, 2, 3]))
  doc.getMap('m').set('sub', new Y.Doc())
  doc.getMap('m').set('map', new Y.Map())
  doc.getArray('a').insert(0, [1, 'two', new Y.Array(), new Y.Text('inner')])
  const xml = doc.getXmlFragment('x')
  const element = new Y.XmlElement('p')
  element.setAttribute('class', 'c')
  element.insert(0, [new Y.XmlText('xml text')])
  xml.insert(0, [element, new Y.XmlHook('hook') as unknown as Y.XmlElement])
  doc.getArray('a').delete(0, 1)
  return doc
}

describe('isValidUpdate', () => {
  it('accepts every kind of update Yjs produces', () => {
    const doc = everyContentType()
    expect(isValidUpdate(Y.encodeStateAsUpdate(doc))).toBe(true)
    expect(isValidUpdate(new Uint8Array([0, 0]))).toBe(true)
    const updates: Uint8Array[] = []
    const live = new Y.Doc()
    live.on('update', (update: Uint8Array) => updates.push(update))
    Y.applyUpdate(live, Y.encodeStateAsUpdate(doc))
    live.getText('t').insert(3, 'more')
    live.getMap('m').delete('any')
    live.getXmlFragment('x').delete(0, 1)
    for (const update of updates) expect(isValidUpdate(update)).toBe(true)
    expect(isValidUpdate(Y.mergeUpdates(updates))).toBe(true)
  })

  it('refuses truncation, trailing bytes and absurd counts without allocating for them', () => {
    const update = Y.encodeStateAsUpdate(everyContentType())
    for (let cut = 0; cut < update.length; cut++) expect(isValidUpdate(update.subarray(0, cut))).toBe(false)
    expect(isValidUpdate(Uint8Array.of(...update, 0))).toBe(false)
    // 2^49 struct groups, 2^49 structs, 2^49 `any` values: each fails at the end of the bytes.
    const huge = [0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x01]
    expect(isValidUpdate(Uint8Array.of(...huge))).toBe(false)
    expect(isValidUpdate(Uint8Array.of(1, ...huge, 1, 0))).toBe(false)
    // One item of `any` content (info 8) under root type "a", claiming 2^49 values.
    const anyItem = [1, 1, 1, 0, 8, 1, 1, 0x61]
    expect(isValidUpdate(Uint8Array.of(...anyItem, ...huge))).toBe(false)
    expect(isValidUpdate(Uint8Array.of(...anyItem, 1, 127, 0))).toBe(true)
    // Deeply nested `any` arrays (tag 117, one element each): refused, not a stack overflow.
    const depth = 100_000
    const nested = new Uint8Array(anyItem.length + 1 + depth * 2 + 2)
    nested.set(anyItem)
    nested[anyItem.length] = 1
    for (let i = 0; i < depth; i++) nested.set([117, 1], anyItem.length + 1 + i * 2)
    nested.set([127, 0], nested.length - 2)
    expect(isValidUpdate(nested)).toBe(false)
  })

  it('never accepts what Y.decodeUpdate cannot read (seeded mutations)', () => {
    const base = Y.encodeStateAsUpdate(everyContentType())
    let seed = 7
    const random = (): number => {
      seed = (seed * 1103515245 + 12345) & 0x7fffffff
      return seed / 0x7fffffff
    }
    let accepted = 0
    for (let i = 0; i < 3000; i++) {
      const mutated = base.slice()
      for (let j = 0; j < 1 + Math.floor(random() * 3); j++) mutated[Math.floor(random() * mutated.length)] = Math.floor(random() * 256)
      if (!isValidUpdate(mutated)) continue
      accepted++
      expect(() => Y.decodeUpdate(mutated)).not.toThrow()
      expect(() => Y.mergeUpdates([base, mutated])).not.toThrow()
    }
    expect(accepted).toBeGreaterThan(0)
  })
})
