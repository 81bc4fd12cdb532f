import { columns, type Board } from './board.js'
import { CardView, type CardActions } from './card-view.js'
import { h } from './dom.js'

/** Renders the board's columns and keeps them in step with the board, reusing card elements (and focus). */
export function mountBoard(root: HTMLElement, board: Board, onFocus: (id: string | null) => void): { cardViews: Map<string, CardView> } {
  const cardViews = new Map<string, CardView>()
  const actions: CardActions = {
    move(id, direction) {
      const at = columns.findIndex((column) => board.cardsIn(column.id).some((card) => card.id === id))
      const target = columns[at + direction]
      if (target) board.moveCard(id, target.id)
    },
    archive: (id) => board.archiveCard(id),
    focus: onFocus,
  }

  const lists = new Map<string, HTMLElement>()
  const counts = new Map<string, HTMLElement>()
  const violations = h('ul', { class: 'violations', 'data-testid': 'violations' })
  const grid = h('div', { class: 'columns' })
  for (const column of columns) {
    const list = h('div', { class: 'cards', 'data-testid': `cards-${column.id}` })
    const count = h('span', { class: 'count', 'data-testid': `count-${column.id}` })
    const input = h('input', { 'data-testid': `new-card-${column.id}`, placeholder: 'Add a card…', 'aria-label': `Add a card to ${column.title}` })
    const form = h('form', { class: 'add-card' }, input)
    form.addEventListener('submit', (event) => {
      event.preventDefault()
      const text = input.value.trim()
      if (!text) return
      board.addCard(column.id, text)
      input.value = ''
    })
    lists.set(column.id, list)
    counts.set(column.id, count)
    grid.append(
      h('section', { class: 'column', 'data-testid': `column-${column.id}` }, h('header', {}, h('h2', {}, column.title), count), list, form),
    )
  }
  root.append(violations, grid)

  let scheduled = false
  const render = (): void => {
    scheduled = false
    const seen = new Set<string>()
    for (const column of columns) {
      const list = lists.get(column.id)
      if (!list) continue
      const cards = board.cardsIn(column.id)
      cards.forEach((card, index) => {
        seen.add(card.id)
        let view = cardViews.get(card.id)
        if (view) view.update(card)
        else cardViews.set(card.id, (view = new CardView(card, actions)))
        // Only move nodes that are out of place: moving a focused textarea would blur it.
        if (list.children[index] !== view.element) list.insertBefore(view.element, list.children[index] ?? null)
      })
      const limit = column.wipLimit
      const count = counts.get(column.id)
      if (count) {
        count.textContent = limit === undefined ? String(cards.length) : `${cards.length} / ${limit}`
        count.classList.toggle('over', limit !== undefined && cards.length > limit)
      }
    }
    for (const [id, view] of cardViews) {
      if (!seen.has(id)) {
        view.destroy()
        cardViews.delete(id)
      }
    }
    violations.replaceChildren(
      ...board.violations().map((violation) => h('li', { 'data-testid': 'violation', 'data-violation-id': violation.id }, violation.message)),
    )
  }
  const schedule = (): void => {
    if (scheduled) return
    scheduled = true
    queueMicrotask(render)
  }
  board.onChange(schedule)
  render()
  return { cardViews }
}
