import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import * as Y from 'yjs'
import { diffVersions, versionToJson, type VersionChange } from '../src/index.js'
import { anyEdit, applyEdit, stateOf } from './support.js'

describe('diffVersions', () => {
  it('reports added, removed and changed map keys by path', () => {
    const doc = new Y.Doc()
    const map = doc.getMap<unknown>('m')
    map.set('title', 'one')
    map.set('gone', 1)
    const older = stateOf(doc)
    map.set('title', 'two')
    map.delete('gone')
    map.set('added', { x: 1 })
    expect(diffVersions(older, stateOf(doc))).toEqual<VersionChange[]>([
      { kind: 'removed', path: ['m', 'gone'], value: 1 },
      { kind: 'changed', path: ['m', 'title'], before: 'one', after: 'two' },
      { kind: 'added', path: ['m', 'added'], value: { x: 1 } },
    ])
  })

  it('reports inserted, deleted and re-formatted text ranges', () => {
    const doc = new Y.Doc()
    const text = doc.getText('t')
    text.insert(0, 'hello world')
    const older = stateOf(doc)
    text.delete(0, 6) // "world"
    text.insert(5, '!')
    text.format(0, 5, { bold: true })
    expect(diffVersions(older, stateOf(doc))).toEqual<VersionChange[]>([{
      kind: 'text', path: ['t'],
      inserted: [{ index: 5, text: '!' }],
      deleted: [{ index: 0, text: 'hello ' }],
      formatted: [{ index: 0, length: 5, attributes: { bold: true } }],
    }])
  })

  it('descends into nested types and XML, naming attributes with @', () => {
    const doc = new Y.Doc()
    const fragment = doc.getXmlFragment('prosemirror')
    const paragraph = new Y.XmlElement('paragraph')
    const body = new Y.XmlText('abc')
    paragraph.insert(0, [body])
    fragment.insert(0, [paragraph])
    const older = stateOf(doc)
    paragraph.setAttribute('align', 'center')
    body.insert(3, 'd')
    fragment.insert(1, [new Y.XmlElement('hr')])
    expect(diffVersions(older, stateOf(doc))).toEqual<VersionChange[]>([
      { kind: 'added', path: ['prosemirror', 0, '@align'], value: 'center' },
      { kind: 'text', path: ['prosemirror', 0, 0], inserted: [{ index: 3, text: 'd' }], deleted: [], formatted: [] },
      { kind: 'added', path: ['prosemirror', 1], value: '<hr></hr>' },
    ])
  })

  it('reports array values removed (index in the older) and added (index in the newer)', () => {
    const doc = new Y.Doc()
    const array = doc.getArray<unknown>('a')
    array.insert(0, [1, 2, 3])
    const older = stateOf(doc)
    array.delete(0, 1)
    array.push([4])
    expect(diffVersions(older, stateOf(doc))).toEqual<VersionChange[]>([
      { kind: 'removed', path: ['a', 0], value: 1 },
      { kind: 'added', path: ['a', 2], value: 4 },
    ])
  })

  it('is empty for identical versions and for a version and itself (property)', () => {
    fc.assert(fc.property(fc.array(anyEdit, { maxLength: 30 }), edits => {
      const doc = new Y.Doc()
      for (const edit of edits) applyEdit(doc, edit)
      expect(diffVersions(stateOf(doc), stateOf(doc))).toEqual([])
    }), { numRuns: 100 })
  })

  it('text ranges rebuild the newer text from the older (property)', () => {
    fc.assert(fc.property(fc.array(anyEdit, { maxLength: 20 }), fc.array(anyEdit, { maxLength: 20 }), (before, after) => {
      const doc = new Y.Doc()
      for (const edit of before) applyEdit(doc, edit)
      const older = stateOf(doc)
      const olderText = doc.getText('t').toString()
      for (const edit of after) applyEdit(doc, edit)
      const change = diffVersions(older, stateOf(doc), { roots: { t: 'Text' } }).find(c => c.kind === 'text' && c.path.length === 1)
      let text = olderText
      if (change?.kind === 'text') {
        // Deleting from the end keeps earlier indexes valid; inserting in order builds the newer indexes.
        for (const range of [...change.deleted].reverse()) text = text.slice(0, range.index) + text.slice(range.index + range.text.length)
        for (const range of change.inserted) text = text.slice(0, range.index) + range.text + text.slice(range.index)
      }
      expect(text).toBe(doc.getText('t').toString())
    }), { numRuns: 200 })
  })
})

describe('versionToJson', () => {
  it('gives every root as JSON, reading kinds from the content', () => {
    const doc = new Y.Doc()
    doc.getMap('m').set('a', 1)
    doc.getArray('a').insert(0, [1, 'two'])
    doc.getText('t').insert(0, 'text')
    doc.getXmlFragment('x').insert(0, [new Y.XmlElement('p')])
    expect(versionToJson(stateOf(doc))).toEqual({ m: { a: 1 }, a: [1, 'two'], t: 'text', x: '<p></p>' })
  })
})
