import { openEventLog } from '@driftless/events'
import { board as boardProjection, boardEvents } from '@driftless/events/examples/board'
import type * as Y from 'yjs'
import { columns } from './board.js'

/** A column of a version's board, as text only. */
export interface PreviewColumn {
  id: string
  title: string
  cards: string[]
}

/**
 * The board a version holds, read from its detached `Y.Doc` (from `loadVersion`): the board
 * projection folded over the version's events, and each live card's text. Nothing is written anywhere.
 */
export async function readVersionBoard(doc: Y.Doc): Promise<PreviewColumn[]> {
  const log = await openEventLog(doc, { events: [...boardEvents], projections: [boardProjection], heartbeatMs: false })
  try {
    const state = log.projection(boardProjection).state
    const texts = doc.getMap<Y.Text>('cardTexts')
    return columns.map((column) => ({
      id: column.id,
      title: column.title,
      cards: (state.columns[column.id]?.cards ?? []).flatMap((id) => {
        const text = texts.get(id)
        return text ? [text.toString()] : []
      }),
    }))
  } finally {
    await log.close()
  }
}
