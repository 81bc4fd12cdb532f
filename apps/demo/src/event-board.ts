import { indexedDbCheckpoints, openEventLog, type ReplicaLike } from '@driftless/events'
import {
  board as boardProjection,
  boardEvents,
  cardAdded,
  cardArchived,
  cardMoved,
  cardRestored,
  columnAdded,
  handleRefusedMoves,
} from '@driftless/events/examples/board'
import * as Y from 'yjs'
import { columns, newCardId, type Board, type Card, type Violation } from './board.js'

/** The fields of the card events that can be refused for entering a full column. */
interface RefusedData {
  cardId: string
  columnId?: string
  to?: string
}

/**
 * The board on domain events: cards added, moved, archived and restored are events in the replica's event log, the
 * board is a projection of them, and the work-in-progress limit is an invariant of that projection, so a
 * move into a full column is refused identically on every replica. A card's text is collaborative, so it
 * lives beside the log in `cardTexts`, a Y.Map of Y.Text created in the same transaction as the card's event.
 */
export async function openEventBoard(replica: ReplicaLike, docId: string): Promise<Board & { close(): void }> {
  const doc = replica.doc
  const texts = doc.getMap<Y.Text>('cardTexts')
  const log = await openEventLog(replica, {
    events: [...boardEvents],
    projections: [boardProjection],
    checkpoints: indexedDbCheckpoints(docId),
  })
  // The mover's replica records each refused move once it is final, so everyone can be told who was refused.
  handleRefusedMoves(log)
  const view = log.projection(boardProjection)

  // Columns are events too. Two fresh devices may both create them: the later duplicates are rejected.
  for (const column of columns) {
    if (!view.state.columns[column.id]) {
      log.emit(columnAdded, { columnId: column.id, title: column.title, wipLimit: column.wipLimit ?? null })
    }
  }

  /** A refused event that put a card into a column, in words; undefined for other refusals. */
  const describeRefusal = (type: string, data: RefusedData): { cardId: string; column: string; verb: string } | undefined => {
    if (type === 'card.added' && data.columnId) return { cardId: data.cardId, column: data.columnId, verb: 'added to' }
    if (type === 'card.moved' && data.to) return { cardId: data.cardId, column: data.to, verb: 'moved to' }
    if (type === 'card.restored') {
      const column = view.state.cards[data.cardId]?.column
      return column === undefined ? undefined : { cardId: data.cardId, column, verb: 'restored to' }
    }
    return undefined
  }
  const titleOf = (cardId: string): string => texts.get(cardId)?.toString() || view.state.cards[cardId]?.title || cardId
  const columnTitle = (id: string): string => columns.find((column) => column.id === id)?.title ?? id

  return {
    cardsIn(column) {
      const ids = view.state.columns[column]?.cards ?? []
      // A card's event and its text travel in one Yjs update, so a card without its text is not yet complete.
      return ids.flatMap((id, rank): Card[] => {
        const text = texts.get(id)
        return text ? [{ id, column, rank, text }] : []
      })
    },
    addCard(column, text) {
      const cardId = newCardId()
      doc.transact(() => {
        texts.set(cardId, new Y.Text(text))
        log.emit(cardAdded, { cardId, columnId: column, title: text, at: Date.now() })
      })
      return cardId
    },
    moveCard(cardId, to) {
      log.emit(cardMoved, { cardId, to, position: null, at: Date.now() })
    },
    archiveCard(cardId) {
      log.emit(cardArchived, { cardId, at: Date.now() })
    },
    archivedCards() {
      return Object.entries(view.state.cards).flatMap(([id, card]) => (card.archived ? [{ id, column: card.column, title: titleOf(id) }] : []))
    },
    restoreCard(cardId) {
      log.emit(cardRestored, { cardId, at: Date.now() })
    },
    violations() {
      const out: Violation[] = []
      for (const event of log.events()) {
        const reason = view.rejected.get(event.id)
        if (reason === undefined) continue
        const refused = describeRefusal(event.type, event.data as RefusedData)
        if (!refused) continue
        const limit = columns.find((column) => column.id === refused.column)?.wipLimit
        const why = reason === 'wipLimit' ? `it is full (work-in-progress limit ${limit ?? '?'})` : reason
        out.push({ id: event.id, message: `“${titleOf(refused.cardId)}” was not ${refused.verb} ${columnTitle(refused.column)}: ${why}` })
      }
      return out
    },
    onChange(listener) {
      const stopView = view.subscribe(listener)
      const onText = (): void => listener()
      texts.observe(onText)
      return () => {
        stopView()
        texts.unobserve(onText)
      }
    },
    close() {
      void log.close()
    },
  }
}
