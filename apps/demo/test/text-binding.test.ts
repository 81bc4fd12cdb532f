import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import * as Y from 'yjs'
import { applyFieldEdit, changedRange, mapSelection, type Selection } from '../src/text-binding.js'

/** A text field bound to its own Y.Doc the way `bindTextarea` binds one, minus the DOM. */
class Field {
  readonly doc = new Y.Doc()
  readonly text = this.doc.getText('card')
  value = ''
  selection: Selection = { start: 0, end: 0 }

  constructor() {
    this.text.observe((event) => {
      if (event.transaction.local) return
      const { start, end } = mapSelection(event.delta, this.selection)
      // As the browser's setSelectionRange does: a start past the end is moved to the end.
      this.selection = { start: Math.min(start, end), end }
      this.value = this.text.toString()
    })
  }

  /** A keystroke: the browser changes the value and the caret, then the binding sees an input event. */
  type(characters: string): void {
    const { start, end } = this.selection
    this.value = this.value.slice(0, start) + characters + this.value.slice(end)
    const caret = start + characters.length
    this.selection = { start: caret, end: caret }
    this.input()
  }

  backspace(): void {
    const { start } = this.selection
    this.value = this.value.slice(0, start - 1) + this.value.slice(start)
    this.selection = { start: start - 1, end: start - 1 }
    this.input()
  }

  caretAtEnd(): void {
    this.selection = { start: this.value.length, end: this.value.length }
  }

  receive(from: Field): void {
    Y.applyUpdate(this.doc, Y.encodeStateAsUpdate(from.doc, Y.encodeStateVector(this.doc)), 'remote')
  }

  private input(): void {
    applyFieldEdit(this.text, this.value, this.selection.end)
  }
}

function fields(count: number, initial: string): Field[] {
  const all = Array.from({ length: count }, () => new Field())
  all[0]?.type(initial)
  for (const field of all.slice(1)) field.receive(all[0] as Field)
  return all
}

function exchange(all: Field[]): void {
  for (const to of all) for (const from of all) if (to !== from) to.receive(from)
}

describe('a card text typed into by several devices at once', () => {
  it('keeps every device\'s word whole when all type at the end and every keystroke is exchanged at once', () => {
    const all = fields(3, 'shared')
    for (const field of all) field.caretAtEnd()
    for (const position of [0, 1, 2]) {
      for (const [index, field] of all.entries()) {
        field.type(` d${index}`[position] as string)
        exchange(all)
      }
    }
    const text = all[0]?.text.toString() ?? ''
    for (const field of all) expect(field.value).toBe(text)
    expect(text.startsWith('shared')).toBe(true)
    for (const index of [0, 1, 2]) expect(text).toContain(` d${index}`)
  })

  it('keeps words whole when keystrokes arrive in bursts, one device lagging behind the others', () => {
    const all = fields(2, 'note')
    const [fast, slow] = all as [Field, Field]
    fast.caretAtEnd()
    slow.caretAtEnd()
    for (const character of ' alpha') {
      fast.type(character)
      slow.receive(fast)
    }
    for (const character of ' beta') {
      slow.type(character)
      fast.receive(slow)
    }
    exchange(all)
    expect(fast.value).toBe(slow.value)
    expect(fast.value).toContain(' alpha')
    expect(fast.value).toContain(' beta')
  })

  it('keeps every word whole whatever order keystrokes and deliveries happen in', () => {
    const words = [' d0', ' d1', ' d2']
    const step = fc.oneof(
      fc.record({ type: fc.nat(2) }),
      fc.record({ to: fc.nat(2), from: fc.nat(2) }),
    )
    fc.assert(
      fc.property(fc.array(step, { maxLength: 40 }), (steps) => {
        const all = fields(3, 'shared')
        for (const field of all) field.caretAtEnd()
        const typed = [0, 0, 0]
        for (const action of steps) {
          if ('type' in action) {
            const word = words[action.type] as string
            const next = typed[action.type] as number
            if (next < word.length) all[action.type]?.type(word[next] as string)
            typed[action.type] = next + 1
          } else if (action.to !== action.from) all[action.to]?.receive(all[action.from] as Field)
        }
        for (const [index, field] of all.entries()) field.type(words[index]?.slice(typed[index]) ?? '')
        exchange(all)
        const text = all[0]?.text.toString() ?? ''
        for (const field of all) expect(field.value).toBe(text)
        for (const word of words) expect(text).toContain(word)
      }),
      { numRuns: 300 },
    )
  })
})

describe('changedRange finds the edit the user made', () => {
  it('an insert into repeated characters lands at the caret, not at the end of the repeat', () => {
    // "aa" with the caret after the first "a"; typing "a" gives "aaa": the new "a" is the second one.
    expect(changedRange('aa', 'aaa', 2)).toEqual({ start: 1, removed: 0, inserted: 'a' })
    expect(changedRange('aa', 'aaa', 1)).toEqual({ start: 0, removed: 0, inserted: 'a' })
  })

  it('a backspace in repeated characters removes the one before the caret', () => {
    expect(changedRange('abbbc', 'abbc', 2)).toEqual({ start: 2, removed: 1, inserted: '' })
    expect(changedRange('abbbc', 'abbc', 1)).toEqual({ start: 1, removed: 1, inserted: '' })
  })

  it('a selection replaced by a paste is one delete and one insert', () => {
    expect(changedRange('hello world', 'hello there', 11)).toEqual({ start: 6, removed: 5, inserted: 'there' })
  })

  it('without a caret, the edit is taken as the last place the texts differ', () => {
    expect(changedRange('aa', 'aaa')).toEqual({ start: 2, removed: 0, inserted: 'a' })
  })
})

describe('mapSelection moves the caret with the text around it', () => {
  it('text inserted before the caret moves it along; after it, leaves it', () => {
    expect(mapSelection([{ retain: 2 }, { insert: 'xy' }], { start: 5, end: 5 })).toEqual({ start: 7, end: 7 })
    expect(mapSelection([{ retain: 6 }, { insert: 'xy' }], { start: 5, end: 5 })).toEqual({ start: 5, end: 5 })
  })

  it('text inserted exactly at the caret goes after it', () => {
    expect(mapSelection([{ retain: 5 }, { insert: 'xy' }], { start: 5, end: 5 })).toEqual({ start: 5, end: 5 })
  })

  it('a selected range does not grow when text is inserted at its edges', () => {
    expect(mapSelection([{ retain: 2 }, { insert: 'x' }], { start: 2, end: 4 })).toEqual({ start: 3, end: 5 })
    expect(mapSelection([{ retain: 4 }, { insert: 'x' }], { start: 2, end: 4 })).toEqual({ start: 2, end: 4 })
  })

  it('text deleted before or around the caret pulls it back, never past the deletion', () => {
    expect(mapSelection([{ retain: 1 }, { delete: 2 }], { start: 5, end: 5 })).toEqual({ start: 3, end: 3 })
    expect(mapSelection([{ retain: 3 }, { delete: 4 }], { start: 5, end: 5 })).toEqual({ start: 3, end: 3 })
  })

  it('backspacing after a remote word edits the local word only', () => {
    const [local, remote] = fields(2, 'x') as [Field, Field]
    local.caretAtEnd()
    remote.caretAtEnd()
    local.type('ab')
    remote.type('cd')
    exchange([local, remote])
    local.backspace()
    exchange([local, remote])
    expect(remote.value).toBe(local.value)
    expect(local.value).toContain('cd')
    expect(local.value).not.toContain('ab')
    expect(local.value).toContain('a')
  })
})
