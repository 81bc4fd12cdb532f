import { columns, type Board, type ColumnDef } from './board.js'
import type { mountBanners } from './banners.js'
import { CardView, type CardActions, type MoveState } from './card-view.js'
import { h } from './dom.js'

/** What the board view hands back, so other panels can sit beside it and follow the same cards. */
export interface BoardView {
  /** The card on screen for each card id. */
  readonly cardViews: ReadonlyMap<string, CardView>
  /** Re-renders on the next microtask (the board also does this on every change). */
  refresh(): void
}

const isFull = (board: Board, column: ColumnDef): boolean =>
  column.wipLimit !== undefined && board.cardsIn(column.id).length >= column.wipLimit

/** Whether a card can move one column over: an arrow that can do nothing is disabled and says why. */
const moveState = (board: Board, from: number, direction: -1 | 1): MoveState => {
  const target = columns[from + direction]
  const side = direction < 0 ? 'left' : 'right'
  if (!target) return { enabled: false, title: `Already the ${side}most column` }
  if (isFull(board, target)) return { enabled: false, title: `${target.title} is full (limit ${target.wipLimit})` }
  return { enabled: true, title: `Move to ${target.title}` }
}

/**
 * Renders the board's columns and keeps them in step with the board, reusing card elements (and focus).
 * Refused operations go to `banners`; archived cards are listed below with a restore button.
 */
export function mountBoard(root: HTMLElement, board: Board, banners: ReturnType<typeof mountBanners>, onFocus: (id: string | null) => void): BoardView {
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
  const inputs = new Map<string, HTMLInputElement>()
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
    inputs.set(column.id, input)
    const limit = column.wipLimit === undefined ? 'No limit' : `At most ${column.wipLimit} cards at once (work-in-progress limit), on every device`
    grid.append(
      h('section', { class: 'column', 'data-testid': `column-${column.id}` }, h('header', { title: limit }, h('h2', {}, column.title), count), list, form),
    )
  }
  const archived = h('ul', { class: 'archived-list', 'data-testid': 'archived' })
  const archivedTitle = h('summary', {}, 'Archived')
  const archivedPanel = h('details', { class: 'archived' }, archivedTitle, archived)
  root.append(grid, archivedPanel)

  let scheduled = false
  const render = (): void => {
    scheduled = false
    const seen = new Set<string>()
    columns.forEach((column, at) => {
      const list = lists.get(column.id)
      if (!list) return
      const cards = board.cardsIn(column.id)
      const moves = [moveState(board, at, -1), moveState(board, at, 1)] as const
      cards.forEach((card, index) => {
        seen.add(card.id)
        let view = cardViews.get(card.id)
        if (view) view.update(card)
        else cardViews.set(card.id, (view = new CardView(card, actions)))
        view.setMoves(...moves)
        // Only move nodes that are out of place: moving a focused textarea would blur it.
        if (list.children[index] !== view.element) list.insertBefore(view.element, list.children[index] ?? null)
      })
      const limit = column.wipLimit
      const count = counts.get(column.id)
      if (count) {
        count.textContent = limit === undefined ? String(cards.length) : `${cards.length} / ${limit}`
        count.classList.toggle('over', limit !== undefined && cards.length > limit)
        count.classList.toggle('full', limit !== undefined && cards.length >= limit)
      }
      const input = inputs.get(column.id)
      if (input) input.placeholder = isFull(board, column) ? `Full: a new card would be refused` : 'Add a card…'
    })
    for (const [id, view] of cardViews) {
      if (!seen.has(id)) {
        view.destroy()
        cardViews.delete(id)
      }
    }
    const gone = board.archivedCards()
    archivedTitle.textContent = `Archived (${gone.length})`
    archived.replaceChildren(
      ...gone.map((card) => {
        const column = columns.find((candidate) => candidate.id === card.column)
        const full = column !== undefined && isFull(board, column)
        const restore = h('button', { type: 'button', 'data-testid': 'restore', disabled: full, title: full ? `${column.title} is full (limit ${column.wipLimit})` : `Put it back in ${column?.title ?? card.column}` }, 'Restore')
        restore.addEventListener('click', () => board.restoreCard(card.id))
        return h('li', { 'data-testid': 'archived-card' }, h('span', {}, card.title), restore)
      }),
    )
    banners.set('refusals', board.violations().map((violation) => ({ id: violation.id, kind: 'warn', message: violation.message })))
  }
  const refresh = (): void => {
    if (scheduled) return
    scheduled = true
    queueMicrotask(render)
  }
  board.onChange(refresh)
  render()
  return { cardViews, refresh }
}
