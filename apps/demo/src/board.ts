import type * as Y from 'yjs'

/** A column of the board, with an optional work-in-progress limit. */
export interface ColumnDef {
  id: string
  title: string
  /** Most cards allowed in the column at once; none when undefined. */
  wipLimit?: number
}

/** The board's fixed columns. */
export const columns: readonly ColumnDef[] = [
  { id: 'todo', title: 'To do' },
  { id: 'doing', title: 'Doing', wipLimit: 3 },
  { id: 'done', title: 'Done' },
]

/** A card as the view needs it: its place and its collaborative text. */
export interface Card {
  id: string
  column: string
  /** Position in the column. */
  rank: number
  text: Y.Text
}

/** A card taken off the board. */
export interface ArchivedCard {
  id: string
  /** The column it was archived from, and would return to. */
  column: string
  title: string
}

/** A business rule the board refused, shown to the user. */
export interface Violation {
  /** Stable id, so the view can list each once. */
  id: string
  message: string
}

/** The board's operations and what the view reads; implemented on domain events. */
export interface Board {
  /** Live cards of a column, in display order. */
  cardsIn(column: string): Card[]
  /** Adds a card with `text` to `column`; returns its id. */
  addCard(column: string, text: string): string
  /** Moves a card to the end of another column (subject to that column's work-in-progress limit). */
  moveCard(id: string, column: string): void
  /** Removes a card from the board, keeping its history. */
  archiveCard(id: string): void
  /** Archived cards, which can be restored to the column they left. */
  archivedCards(): ArchivedCard[]
  /** Puts an archived card back at the end of its column (subject to the column's work-in-progress limit). */
  restoreCard(id: string): void
  /** Rule violations to show: cards refused by a work-in-progress limit (added, moved or restored into a full column). */
  violations(): Violation[]
  /** Calls `listener` after any change, local or remote; returns the function that stops it. */
  onChange(listener: () => void): () => void
}

/** A short random id for new cards. */
export function newCardId(): string {
  return crypto.randomUUID().slice(0, 8)
}
