import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import * as Y from 'yjs'
import { HistoryError, restoreUpdate } from '../src/index.js'
import { anyEdit, applyEdit, content, docOf, stateOf, sync, textContent } from './support.js'

/** Restores `doc` to `version` in place, as the relay does: compute the update on the states, apply it. */
const restore = (doc: Y.Doc, version: Uint8Array, roots?: Record<string, 'Map' | 'Array' | 'Text' | 'XmlFragment'>): Uint8Array => {
  const update = restoreUpdate(stateOf(doc), version, { roots })
  Y.applyUpdate(doc, update)
  return update
}

describe('restoreUpdate', () => {
  it('restores a Map: changed, deleted and added keys', () => {
    const doc = new Y.Doc()
    const map = doc.getMap<unknown>('m')
    map.set('title', 'v1')
    map.set('count', 1)
    map.set('gone', { deep: [1, 2] })
    const version = stateOf(doc)
    map.set('title', 'v2')
    map.delete('gone')
    map.set('added', true)
    restore(doc, version)
    expect(map.toJSON()).toEqual({ title: 'v1', count: 1, gone: { deep: [1, 2] } })
  })

  it('restores an Array of values and nested maps, recursing into kept maps', () => {
    const doc = new Y.Doc()
    const array = doc.getArray<unknown>('a')
    const card = new Y.Map<unknown>([['title', 'one'], ['color', 'red']])
    array.insert(0, [1, card, 3])
    const version = stateOf(doc)
    array.delete(0, 1)
    array.insert(2, ['later'])
    card.set('color', 'blue')
    card.set('extra', 1)
    restore(doc, version)
    expect(array.toJSON()).toEqual([1, { title: 'one', color: 'red' }, 3])
    // The card kept its identity: the restore edited it rather than replacing it.
    expect(array.get(1)).toBe(card)
  })

  it('restores a Text with formatting attributes, embeds and text attributes', () => {
    const doc = new Y.Doc()
    const text = doc.getText('t')
    text.insert(0, 'Hello world', {})
    text.format(0, 5, { bold: true })
    text.insertEmbed(11, { image: 'a.png' }, { width: 3 })
    text.format(6, 5, { link: { href: 'https://example.com' } })
    text.setAttribute('lang', 'en')
    const version = stateOf(doc)
    const expected = textContent(text)
    text.format(0, 11, { bold: null, italic: true })
    text.delete(2, 6)
    text.insert(0, 'Oh, ', { bold: true })
    text.setAttribute('lang', 'fr')
    restore(doc, version)
    expect(textContent(text)).toEqual(expected)
    expect(text.getAttribute('lang')).toBe('en')
  })

  it('restores an XmlFragment as ProseMirror keeps it: elements, attributes, marks', () => {
    const doc = new Y.Doc()
    const fragment = doc.getXmlFragment('prosemirror')
    const heading = new Y.XmlElement('heading')
    heading.setAttribute('level', '1')
    const title = new Y.XmlText()
    heading.insert(0, [title])
    const paragraph = new Y.XmlElement('paragraph')
    const body = new Y.XmlText()
    paragraph.insert(0, [body])
    fragment.insert(0, [heading, paragraph])
    title.insert(0, 'Title')
    body.insert(0, 'Some bold text', {})
    body.format(5, 4, { bold: {} })
    const version = stateOf(doc)
    const expected = fragment.toString()
    heading.setAttribute('level', '2')
    body.delete(0, 5)
    body.format(0, 4, { italic: {} })
    const list = new Y.XmlElement('bulletList')
    list.insert(0, [new Y.XmlElement('listItem')])
    fragment.insert(1, [list])
    fragment.delete(0, 1)
    restore(doc, version)
    expect(fragment.toString()).toBe(expected)
    expect(fragment.toString()).toContain('<heading level="1">Title</heading>')
  })

  it('restores deeply nested types', () => {
    const doc = new Y.Doc()
    const root = doc.getMap<unknown>('m')
    const inner = new Y.Array<unknown>()
    root.set('list', inner)
    const note = new Y.Text('note')
    inner.insert(0, [new Y.Map([['note', note]])])
    const version = stateOf(doc)
    const expected = root.toJSON()
    note.insert(4, ' edited')
    inner.insert(1, [new Y.Array()])
    restore(doc, version)
    expect(root.toJSON()).toEqual(expected)
  })

  it('brings back content of a root that was emptied, and empties a root created after the version', () => {
    const doc = new Y.Doc()
    doc.getText('t').insert(0, 'kept')
    const version = stateOf(doc)
    doc.getText('t').delete(0, 4)
    doc.getArray('later').insert(0, [1])
    restore(doc, version)
    expect(doc.getText('t').toString()).toBe('kept')
    expect(doc.getArray('later').length).toBe(0)
  })

  it('is the empty update when nothing differs', () => {
    const doc = new Y.Doc()
    doc.getMap('m').set('a', 1)
    expect(restoreUpdate(stateOf(doc), stateOf(doc))).toEqual(new Uint8Array([0, 0]))
  })

  it('can be undone by restoring the state from before the restore', () => {
    const doc = new Y.Doc()
    applyEdit(doc, { op: 'textInsert', at: 0, text: 'first', bold: false })
    doc.getMap('m').set('a', 1)
    const version = stateOf(doc)
    applyEdit(doc, { op: 'textInsert', at: 5, text: ' second', bold: true })
    doc.getMap('m').set('a', 2)
    const beforeRestore = stateOf(doc)
    const expected = content(doc)
    restore(doc, version)
    expect(content(doc)).toEqual(content(docOf(version)))
    restore(doc, beforeRestore)
    expect(content(doc)).toEqual(expected)
  })

  it('writes under a low client id that the document does not use', () => {
    const doc = new Y.Doc()
    doc.getMap('m').set('a', 1)
    const version = stateOf(doc)
    doc.getMap('m').set('a', 2)
    const update = restoreUpdate(stateOf(doc), version)
    const clients = [...Y.decodeStateVector(Y.encodeStateVectorFromUpdate(update)).keys()]
    expect(clients).toHaveLength(1)
    expect(clients[0]).toBeLessThan(2 ** 16)
    expect(clients[0]).not.toBe(doc.clientID)
  })

  it('refuses an undecodable state with a typed error', () => {
    const doc = new Y.Doc()
    doc.getMap('m').set('a', 1)
    expect(() => restoreUpdate(stateOf(doc), new Uint8Array([1, 2, 3, 200, 7]))).toThrowError(
      expect.objectContaining({ name: 'HistoryError', code: 'invalidUpdate' }) as Error,
    )
  })

  it('refuses a root that holds text in one state and map entries in the other', () => {
    const a = new Y.Doc()
    a.getText('x').insert(0, 'text')
    const b = new Y.Doc()
    b.getMap('x').set('k', 1)
    let error: unknown
    try {
      restoreUpdate(stateOf(a), stateOf(b))
    } catch (caught) {
      error = caught
    }
    expect(error).toBeInstanceOf(HistoryError)
    expect((error as HistoryError).code).toBe('conflictingRootKinds')
  })

  it('reads a root as the kind the caller names', () => {
    const doc = new Y.Doc()
    const version = stateOf(doc)
    doc.getArray('a').insert(0, [1])
    // Empty in the version; the caller says what it is.
    restore(doc, version, { a: 'Array' })
    expect(doc.getArray('a').length).toBe(0)
  })

  it('makes the content equal to any earlier version (property)', () => {
    fc.assert(fc.property(fc.array(anyEdit, { maxLength: 25 }), fc.array(anyEdit, { maxLength: 25 }), (before, after) => {
      const doc = new Y.Doc()
      for (const edit of before) applyEdit(doc, edit)
      const version = stateOf(doc)
      for (const edit of after) applyEdit(doc, edit)
      restore(doc, version, { m: 'Map', a: 'Array', t: 'Text' })
      expect(content(doc)).toEqual(content(docOf(version)))
    }), { numRuns: 300 })
  })
})

describe('restore merged with edits made concurrently (an offline device)', () => {
  /** A document, a version of it, a later state, and device B that forked from the later state. */
  const setup = (): { a: Y.Doc; b: Y.Doc; version: Uint8Array } => {
    const a = new Y.Doc()
    a.getText('t').insert(0, 'one two three')
    a.getMap('m').set('title', 'v1')
    a.getArray('a').insert(0, [1, 2, 3])
    const version = stateOf(a)
    a.getText('t').insert(13, ' four')
    a.getMap('m').set('title', 'v2')
    a.getArray('a').insert(3, [4])
    const b = docOf(stateOf(a))
    return { a, b, version }
  }

  it('Text: characters B typed are present on top of the restored text', () => {
    const { a, b, version } = setup()
    b.getText('t').insert(0, 'B: ')
    b.getText('t').insert(b.getText('t').length, '!') // inside the part the restore deletes
    restore(a, version)
    sync(a, b)
    expect(a.getText('t').toString()).toBe('B: one two three!')
    expect(Y.encodeStateVector(a)).toEqual(Y.encodeStateVector(b))
  })

  it('Text: characters B deleted from restored content stay deleted', () => {
    const { a, b, version } = setup()
    b.getText('t').delete(0, 4)
    restore(a, version)
    sync(a, b)
    expect(a.getText('t').toString()).toBe('two three')
  })

  it('Map: a key B set wins over the restore; keys B did not touch are restored', () => {
    const { a, b, version } = setup()
    b.getMap('m').set('title', 'from B')
    b.getMap('m').set('new', 1)
    restore(a, version)
    sync(a, b)
    expect(a.getMap('m').toJSON()).toEqual({ title: 'from B', new: 1 })
  })

  it('Array: values B inserted are kept, next to the restored ones', () => {
    const { a, b, version } = setup()
    b.getArray('a').insert(0, ['b'])
    restore(a, version)
    sync(a, b)
    expect(a.getArray('a').toJSON()).toEqual(['b', 1, 2, 3])
  })

  it('XmlFragment: text B typed in a paragraph is kept; a paragraph B added stays', () => {
    const a = new Y.Doc()
    const fragment = a.getXmlFragment('prosemirror')
    const paragraph = new Y.XmlElement('paragraph')
    paragraph.insert(0, [new Y.XmlText('first')])
    fragment.insert(0, [paragraph])
    const version = stateOf(a)
    fragment.insert(1, [new Y.XmlElement('paragraph')])
    const b = docOf(stateOf(a))
    const bFragment = b.getXmlFragment('prosemirror')
    ;((bFragment.get(0) as Y.XmlElement).get(0) as Y.XmlText).insert(5, ' from B')
    const added = new Y.XmlElement('paragraph')
    added.insert(0, [new Y.XmlText('B paragraph')])
    bFragment.insert(0, [added])
    restore(a, version)
    sync(a, b)
    expect(fragment.toString()).toBe('<paragraph>B paragraph</paragraph><paragraph>first from B</paragraph>')
    expect(bFragment.toString()).toBe(fragment.toString())
  })

  it('converges whatever B did (property)', () => {
    fc.assert(fc.property(
      fc.array(anyEdit, { maxLength: 15 }), fc.array(anyEdit, { maxLength: 15 }), fc.array(anyEdit, { maxLength: 15 }),
      (before, after, offline) => {
        const a = new Y.Doc()
        for (const edit of before) applyEdit(a, edit)
        const version = stateOf(a)
        for (const edit of after) applyEdit(a, edit)
        const b = docOf(stateOf(a))
        for (const edit of offline) applyEdit(b, edit)
        restore(a, version, { m: 'Map', a: 'Array', t: 'Text' })
        sync(a, b)
        expect(content(a)).toEqual(content(b))
        expect(Y.encodeStateVector(a)).toEqual(Y.encodeStateVector(b))
      },
    ), { numRuns: 200 })
  })
})
