import * as Y from 'yjs'
import { describe, expect, it } from 'vitest'
import { openEventLog } from '../src/index.js'
import { board, boardEvents, cardAdded, cardMoved, columnAdded, handleRefusedMoves } from '../examples/board.js'

describe('smoke', () => {
  it('folds a board and rejects a move into a full column', async () => {
    const doc = new Y.Doc()
    const log = await openEventLog(doc, { events: boardEvents, heartbeatMs: false })
    const projection = log.projection(board)
    log.emit(columnAdded, { columnId: 'todo', title: 'To do', wipLimit: null })
    log.emit(columnAdded, { columnId: 'doing', title: 'Doing', wipLimit: 1 })
    log.emit(cardAdded, { cardId: 'a', columnId: 'todo', title: 'A', at: 1 })
    log.emit(cardAdded, { cardId: 'b', columnId: 'todo', title: 'B', at: 2 })
    log.emit(cardMoved, { cardId: 'a', to: 'doing', position: null, at: 3 })
    const refused = log.emit(cardMoved, { cardId: 'b', to: 'doing', position: null, at: 4 })
    expect(projection.state.columns.doing?.cards).toEqual(['a'])
    expect(projection.rejected.get(refused)).toBe('wipLimit')
    handleRefusedMoves(log)
    await log.close()
    expect(log.watermark).toBe(Infinity)
  })
})
