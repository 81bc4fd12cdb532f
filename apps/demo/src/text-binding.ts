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

  const onInput = (): void => {
    const before = text.toString()
    const after = field.value
    const { start, removed, inserted } = changedRange(before, after)
    if (removed === 0 && inserted === '') return
    text.doc?.transact(() => {
      if (removed > 0) text.delete(start, removed)
      if (inserted) text.insert(start, inserted)
    }, localOrigin)
  }

  const showRemote = (event: Y.YTextEvent): void => {
    if (event.transaction.origin === localOrigin) return
    const focused = document.activeElement === field
    let selectionStart = field.selectionStart
    let selectionEnd = field.selectionEnd
    let index = 0
    for (const op of event.delta) {
      if (op.retain !== undefined) index += op.retain
      else if (typeof op.insert === 'string') {
        const length = op.insert.length
        if (index <= selectionStart) selectionStart += length
        if (index < selectionEnd) selectionEnd += length
        index += length
      } else if (op.delete !== undefined) {
        selectionStart -= Math.max(0, Math.min(op.delete, selectionStart - index))
        selectionEnd -= Math.max(0, Math.min(op.delete, selectionEnd - index))
      }
    }
    field.value = text.toString()
    if (focused) field.setSelectionRange(selectionStart, selectionEnd)
    onRemote?.()
  }

  field.addEventListener('input', onInput)
  text.observe(showRemote)
  return () => {
    field.removeEventListener('input', onInput)
    text.unobserve(showRemote)
  }
}

/** The single range that turns `before` into `after`: common prefix and suffix are kept. */
export function changedRange(before: string, after: string): { start: number; removed: number; inserted: string } {
  let start = 0
  const shortest = Math.min(before.length, after.length)
  while (start < shortest && before[start] === after[start]) start++
  let tail = 0
  while (tail < shortest - start && before[before.length - 1 - tail] === after[after.length - 1 - tail]) tail++
  return { start, removed: before.length - start - tail, inserted: after.slice(start, after.length - tail) }
}
