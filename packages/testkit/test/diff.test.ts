import { describe, expect, it } from 'vitest'
import { describeDivergence } from '../src/converge.js'
import { findDifferences, sameState } from '../src/diff.js'

describe('sameState', () => {
  it('ignores key order but not array order', () => {
    expect(sameState({ b: 1, a: { d: 2, c: 3 } }, { a: { c: 3, d: 2 }, b: 1 })).toBe(true)
    expect(sameState([1, 2], [2, 1])).toBe(false)
  })

  it('treats undefined members as missing and compares dates by value', () => {
    expect(sameState({ a: 1, b: undefined }, { a: 1 })).toBe(true)
    expect(sameState({ at: new Date(0) }, { at: new Date(0) })).toBe(true)
    expect(sameState({ at: new Date(0) }, { at: new Date(1) })).toBe(false)
  })
})

describe('findDifferences', () => {
  it('names the path of each difference, including missing entries', () => {
    const expected = { cards: [{ text: 'abc' }, { text: 'x' }], 'odd key': 1 }
    const actual = { cards: [{ text: 'abd' }], 'odd key': 1, extra: true }
    expect(findDifferences(expected, actual)).toEqual([
      { path: '$.cards[0].text', expected: 'abc', actual: 'abd' },
      { path: '$.cards[1]', expected: { text: 'x' }, actual: undefined },
      { path: '$.extra', expected: undefined, actual: true },
    ])
  })

  it('stops at the limit', () => {
    expect(findDifferences([1, 2, 3], [4, 5, 6], 2)).toHaveLength(2)
  })
})

describe('describeDivergence', () => {
  it('takes the majority as reference and says which tab differs and how', () => {
    const state = (value: unknown) => ({ value })
    const text = describeDivergence(
      new Map([
        ['client 0 / tab 0', state({ cards: ['a', 'b'] })],
        ['client 0 / tab 1', state({ cards: ['a', 'b'] })],
        ['client 1 / tab 0', state({ cards: ['a'] })],
      ]),
      2000,
    )
    expect(text).toContain('2 distinct states across 3 tabs')
    expect(text).toContain('reference: client 0 / tab 0, client 0 / tab 1')
    expect(text).toContain('client 1 / tab 0 differ:')
    expect(text).toContain('$.cards[1]: expected "b", got (missing)')
  })
})
