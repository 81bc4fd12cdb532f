import type * as Y from 'yjs'

/** Origin of changes the binding makes, so it can tell them from remote ones. */
const localOrigin = Symbol('textarea')

/**
 * Binds a Y.Text to a textarea both ways with minimal diffs: a keystroke becomes one delete and/or one insert
 * at the changed range (not a replacement of the whole text), and remote changes move the caret with the
 * text around it. `onRemote` runs after the field shows a remote change. Returns the function that unbinds.
 */
export function bindTextarea(text: Y.Text, field: HTMLTextAreaElement, onRemote?: () => void): () => void {
  field.value = text.toString()

  const onInput = (): void => applyFieldEdit(text, field.value, field.selectionEnd, localOrigin)

  const showRemote = (event: Y.YTextEvent): void => {
    if (event.transaction.origin === localOrigin) return
    const focused = document.activeElement === field
    const selection = mapSelection(event.delta, { start: field.selectionStart, end: field.selectionEnd })
    field.value = text.toString()
    if (focused) field.setSelectionRange(selection.start, selection.end)
    onRemote?.()
  }

  field.addEventListener('input', onInput)
  text.observe(showRemote)
  return () => {
    field.removeEventListener('input', onInput)
    text.unobserve(showRemote)
  }
}

/** Writes a field's new `value` into `text` as the one edit the user made, its caret now at `caret`. */
export function applyFieldEdit(text: Y.Text, value: string, caret: number, origin?: unknown): void {
  const { start, removed, inserted } = changedRange(text.toString(), value, caret)
  if (removed === 0 && inserted === '') return
  text.doc?.transact(() => {
    if (removed > 0) text.delete(start, removed)
    if (inserted) text.insert(start, inserted)
  }, origin)
}

/**
 * The single range that turns `before` into `after`: common prefix and suffix are kept. Where the text repeats
 * around the edit ("a" typed after "a"), more than one range fits; `caret`, the field's caret after the edit,
 * picks the one the user typed, so the insert joins the user's own characters in the CRDT and not a
 * neighbour's that happen to look the same.
 */
export function changedRange(
  before: string,
  after: string,
  caret = after.length,
): { start: number; removed: number; inserted: string } {
  const shortest = Math.min(before.length, after.length)
  // An edit ends at the caret, so the unchanged prefix can reach at most the caret less what was added.
  const prefixLimit = Math.max(0, Math.min(shortest, caret - Math.max(0, after.length - before.length)))
  let start = 0
  while (start < prefixLimit && before[start] === after[start]) start++
  let tail = 0
  while (tail < shortest - start && before[before.length - 1 - tail] === after[after.length - 1 - tail]) tail++
  return { start, removed: before.length - start - tail, inserted: after.slice(start, after.length - tail) }
}

export interface Selection {
  start: number
  end: number
}

type Delta = Y.YTextEvent['delta']

/**
 * Where a selection lands after a remote change. Text inserted before it moves it along, text deleted before it
 * pulls it back. Text inserted exactly at a caret stays after the caret, as in CodeMirror: a user typing at the
 * end while someone else types there too keeps typing their own word, and the two words stay whole instead of
 * interleaving at every keystroke. A range keeps what it selected and does not grow at its edges.
 */
export function mapSelection(delta: Delta, selection: Selection): Selection {
  const collapsed = selection.start === selection.end
  let { start, end } = selection
  let index = 0
  for (const op of delta) {
    if (op.retain !== undefined) index += op.retain
    else if (typeof op.insert === 'string') {
      const length = op.insert.length
      if (collapsed ? index < start : index <= start) start += length
      if (index < end) end += length
      index += length
    } else if (op.delete !== undefined) {
      start -= Math.max(0, Math.min(op.delete, start - index))
      end -= Math.max(0, Math.min(op.delete, end - index))
    }
  }
  return { start, end }
}
