/**
 * A kanban board modelled with domain events: columns with a work-in-progress limit, cards added, moved
 * and archived. Copy it into an app, or import it.
 *
 * The WIP limit is an invariant: a card entering a full column (added to it, moved into it, or restored
 * into it) is a no-op on every replica and is reported as rejected; for a refused move, the mover's replica
 * then records a `move.refused` event (a compensation) so the mover is told.
 */
import { defineEvent, defineProjection, HandlerScope, type EventLog, type EventOf } from '../index.js'

const isObject = (data: unknown): data is Record<string, unknown> => typeof data === 'object' && data !== null
const isId = (value: unknown): value is string => typeof value === 'string' && value.length > 0 && value.length <= 64
const isTime = (value: unknown): value is number => typeof value === 'number' && Number.isFinite(value)

export interface ColumnAdded { readonly columnId: string; readonly title: string; readonly wipLimit: number | null }
export interface CardAdded { readonly cardId: string; readonly columnId: string; readonly title: string; readonly at: number }
/** v2: `to` was called `column` in v1, and `position` (index in the target column, or end) was added. */
export interface CardMoved { readonly cardId: string; readonly to: string; readonly position: number | null; readonly at: number }
export interface CardArchived { readonly cardId: string; readonly at: number }
/** An archived card back on the board, at the end of the column it was archived from. */
export interface CardRestored { readonly cardId: string; readonly at: number }
export interface MoveRefused { readonly cardId: string; readonly to: string; readonly reason: string }

export const columnAdded = defineEvent('column.added', {
  schema: (d): d is ColumnAdded =>
    isObject(d) && isId(d.columnId) && typeof d.title === 'string' && (d.wipLimit === null || (Number.isInteger(d.wipLimit) && (d.wipLimit as number) >= 0)),
})
export const cardAdded = defineEvent('card.added', {
  schema: (d): d is CardAdded => isObject(d) && isId(d.cardId) && isId(d.columnId) && typeof d.title === 'string' && isTime(d.at),
})
export const cardMoved = defineEvent('card.moved', {
  v: 2,
  schema: (d): d is CardMoved =>
    isObject(d) && isId(d.cardId) && isId(d.to) && (d.position === null || Number.isInteger(d.position)) && isTime(d.at),
  upcast: { 1: (d: { cardId: string; column: string; at: number }) => ({ cardId: d.cardId, to: d.column, position: null, at: d.at }) },
})
export const cardArchived = defineEvent('card.archived', {
  schema: (d): d is CardArchived => isObject(d) && isId(d.cardId) && isTime(d.at),
})
export const cardRestored = defineEvent('card.restored', {
  schema: (d): d is CardRestored => isObject(d) && isId(d.cardId) && isTime(d.at),
})
export const moveRefused = defineEvent('move.refused', {
  schema: (d): d is MoveRefused => isObject(d) && isId(d.cardId) && isId(d.to) && typeof d.reason === 'string',
})

export const boardEvents = [columnAdded, cardAdded, cardMoved, cardArchived, cardRestored, moveRefused] as const

export interface Column { readonly title: string; readonly wipLimit: number | null; readonly cards: readonly string[] }
export interface Card { readonly title: string; readonly column: string; readonly archived: boolean; readonly updatedAt: number }
export interface Board {
  /** Column ids in creation order. */
  readonly order: readonly string[]
  readonly columns: Readonly<Record<string, Column>>
  readonly cards: Readonly<Record<string, Card>>
  /** Moves refused by the WIP limit, as recorded by the movers' replicas. */
  readonly refusals: readonly MoveRefused[]
}

export const emptyBoard: Board = { order: [], columns: {}, cards: {}, refusals: [] }

const withColumn = (board: Board, id: string, update: (column: Column) => Column): Board => {
  const column = board.columns[id]
  if (column === undefined) throw new Error(`no column ${id}`)
  return { ...board, columns: { ...board.columns, [id]: update(column) } }
}

/** The board. Reducers copy what they change and share the rest: earlier states stay valid as snapshots. */
export const board = defineProjection({
  name: 'board',
  initial: emptyBoard,
  events: boardEvents,
  reduce(state, event): Board {
    switch (event.type) {
      case 'column.added': {
        const { columnId, title, wipLimit } = event.data
        if (state.columns[columnId]) throw new Error(`column ${columnId} exists`)
        return { ...state, order: [...state.order, columnId], columns: { ...state.columns, [columnId]: { title, wipLimit, cards: [] } } }
      }
      case 'card.added': {
        const { cardId, columnId, title, at } = event.data
        if (state.cards[cardId]) throw new Error(`card ${cardId} exists`)
        const next = withColumn(state, columnId, (column) => ({ ...column, cards: [...column.cards, cardId] }))
        return { ...next, cards: { ...next.cards, [cardId]: { title, column: columnId, archived: false, updatedAt: at } } }
      }
      case 'card.moved': {
        const { cardId, to, position, at } = event.data
        const card = state.cards[cardId]
        if (card === undefined || card.archived) throw new Error(`no card ${cardId}`)
        const removed = withColumn(state, card.column, (column) => ({ ...column, cards: column.cards.filter((id) => id !== cardId) }))
        const added = withColumn(removed, to, (column) => {
          const cards = [...column.cards]
          cards.splice(position === null ? cards.length : Math.max(0, Math.min(position, cards.length)), 0, cardId)
          return { ...column, cards }
        })
        return { ...added, cards: { ...added.cards, [cardId]: { ...card, column: to, updatedAt: at } } }
      }
      case 'card.archived': {
        const { cardId, at } = event.data
        const card = state.cards[cardId]
        if (card === undefined || card.archived) throw new Error(`no card ${cardId}`)
        const next = withColumn(state, card.column, (column) => ({ ...column, cards: column.cards.filter((id) => id !== cardId) }))
        return { ...next, cards: { ...next.cards, [cardId]: { ...card, archived: true, updatedAt: at } } }
      }
      case 'card.restored': {
        const { cardId, at } = event.data
        const card = state.cards[cardId]
        if (card === undefined || !card.archived) throw new Error(`no archived card ${cardId}`)
        const next = withColumn(state, card.column, (column) => ({ ...column, cards: [...column.cards, cardId] }))
        return { ...next, cards: { ...next.cards, [cardId]: { ...card, archived: false, updatedAt: at } } }
      }
      case 'move.refused':
        return { ...state, refusals: [...state.refusals, event.data] }
    }
  },
  invariants: {
    // Only the column a card enters can overflow; checking it alone keeps the fold fast.
    wipLimit: (state, event) => {
      const entered = columnEntered(state, event)
      const column = entered === undefined ? undefined : state.columns[entered]
      return column === undefined || column.wipLimit === null || column.cards.length <= column.wipLimit
    },
  },
})

/**
 * The column an event puts a card into, if any. Every event type must answer here (the switch is
 * exhaustive), so a new way of entering a column cannot skip the WIP limit.
 */
export function columnEntered(state: Board, event: EventOf<(typeof boardEvents)[number]>): string | undefined {
  switch (event.type) {
    case 'card.added':
      return event.data.columnId
    case 'card.moved':
      return event.data.to
    case 'card.restored':
      return state.cards[event.data.cardId]?.column
    case 'column.added':
    case 'card.archived':
    case 'move.refused':
      return undefined
  }
}

/**
 * The mover's replica records a refused move once the refusal is final (stable): exactly one replica writes
 * it, and `compensates` makes a duplicate (after a crash between the write and the checkpoint) collapse.
 */
export function handleRefusedMoves(log: EventLog, notify?: (refusal: MoveRefused) => void): () => void {
  return log.handle('board.refuseMove', {
    scope: HandlerScope.OriginOnly,
    waitForStable: true,
    events: [cardMoved],
    run(event, { rejected }) {
      if (rejected === undefined) return
      const refusal = { cardId: event.data.cardId, to: event.data.to, reason: rejected }
      log.emit(moveRefused, refusal, { compensates: event.id })
      notify?.(refusal)
    },
  })
}
