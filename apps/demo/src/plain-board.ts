import * as Y from 'yjs'
import { byRank, columns, newCardId, type Board, type Card, type Violation } from './board.js'

/**
 * The board on plain Y structures: `cards` maps a card id to a Y.Map holding `column`, `rank`, `archived`
 * and a collaborative `text`. The work-in-progress limit is checked when a card is moved here and shown when
 * concurrent moves exceed it anyway (plain CRDT fields cannot refuse a concurrent move).
 */
export function createPlainBoard(doc: Y.Doc): Board {
  const cards = doc.getMap<Y.Map<unknown>>('cards')
  const refused: Violation[] = []
  const listeners = new Set<() => void>()
  const notify = (): void => listeners.forEach((listener) => listener())
  cards.observeDeep(notify)

  const live = (): Card[] => {
    const out: Card[] = []
    for (const [id, card] of cards) {
      const text = card.get('text')
      if (card.get('archived') === true || !(text instanceof Y.Text)) continue
      out.push({ id, column: String(card.get('column')), rank: Number(card.get('rank')), text })
    }
    return out
  }
  const cardsIn = (column: string): Card[] => live().filter((card) => card.column === column).sort(byRank)
  const nextRank = (column: string): number => Math.max(0, ...cardsIn(column).map((card) => card.rank)) + 1

  return {
    cardsIn,
    addCard(column, text) {
      const id = newCardId()
      doc.transact(() => {
        const card = new Y.Map<unknown>()
        card.set('column', column)
        card.set('rank', nextRank(column))
        card.set('archived', false)
        card.set('text', new Y.Text(text))
        cards.set(id, card)
      })
      return id
    },
    moveCard(id, column) {
      const card = cards.get(id)
      const limit = columns.find((def) => def.id === column)?.wipLimit
      if (!card || card.get('column') === column) return
      if (limit !== undefined && cardsIn(column).length >= limit) {
        refused.push({ id: `refused-${id}-${refused.length}`, message: `Work-in-progress limit of ${limit} reached in "${column}"` })
        notify()
        return
      }
      doc.transact(() => {
        card.set('column', column)
        card.set('rank', nextRank(column))
      })
    },
    archiveCard(id) {
      cards.get(id)?.set('archived', true)
    },
    violations() {
      const over = columns.flatMap((def) => {
        const count = cardsIn(def.id).length
        return def.wipLimit !== undefined && count > def.wipLimit
          ? [{ id: `over-${def.id}`, message: `"${def.title}" holds ${count} cards; its limit is ${def.wipLimit}` }]
          : []
      })
      return [...refused, ...over]
    },
    onChange(listener) {
      listeners.add(listener)
      return () => listeners.delete(listener)
    },
  }
}
