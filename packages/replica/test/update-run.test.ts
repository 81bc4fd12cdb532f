import { describe, expect, it } from 'vitest'
import * as Y from 'yjs'
import { UpdateRun } from '../src/merge.js'

/** A document whose transactions are collected into a run, as the store and the pending tracker do. */
const recording = () => {
  const doc = new Y.Doc()
  let run = new UpdateRun(Y.encodeStateVector(doc))
  /** The document when the current run started: what a reader holds before applying the run. */
  let before = Y.encodeStateAsUpdate(doc)
  doc.on('update', (update: Uint8Array) => run.add(update))
  return {
    doc,
    get run() { return run },
    get before() { return before },
    restart() {
      run = new UpdateRun(Y.encodeStateVector(doc))
      before = Y.encodeStateAsUpdate(doc)
    },
    type(count: number, char: string) {
      for (let i = 0; i < count; i++) doc.getText('t').insert(0, char)
    },
  }
}

const textOf = (...updates: Uint8Array[]): string => {
  const doc = new Y.Doc()
  for (const update of updates) Y.applyUpdate(doc, update)
  return doc.getText('t').toString()
}

describe('UpdateRun', () => {
  it('starts empty', () => {
    expect(recording().run.isEmpty).toBe(true)
  })

  it('merges a few updates into one holding exactly them', () => {
    const r = recording()
    r.type(3, 'a')
    r.restart()
    r.type(5, 'b')
    const merged = r.run.merge(r.doc)
    expect(textOf(r.before, merged)).toBe('bbbbbaaa')
  })

  it('past the limit keeps no updates and merges to the document diff since its start', () => {
    const r = recording()
    r.type(2, 'a')
    r.restart()
    r.type(1_000, 'b')
    const merged = r.run.merge(r.doc)
    expect(textOf(r.before, merged)).toBe('b'.repeat(1_000) + 'aa')
  })

  it('absorbs a later run, few or many, without losing an edit', () => {
    for (const later of [3, 500]) {
      const r = recording()
      r.type(4, 'a')
      const first = r.run
      r.restart()
      r.type(later, 'b')
      first.absorb(r.run)
      expect(textOf(first.merge(r.doc))).toBe('b'.repeat(later) + 'aaaa')
    }
  })
})
