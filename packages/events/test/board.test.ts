import * as Y from 'yjs'
import { describe, expect, it } from 'vitest'
import { defineEvent, openEventLog, stateHash } from '../src/index.js'
import { board, boardEvents, cardAdded, cardArchived, cardMoved, columnAdded } from '../src/examples/board.js'
import { createNetwork } from './network.js'

describe('board example', () => {
  it('adds, moves (with position) and archives cards; refuses what does not exist', async () => {
    const log = await openEventLog(new Y.Doc(), { events: boardEvents, heartbeatMs: false })
    const view = log.projection(board)
    log.emit(columnAdded, { columnId: 'todo', title: 'To do', wipLimit: null })
    log.emit(columnAdded, { columnId: 'done', title: 'Done', wipLimit: 3 })
    for (const id of ['a', 'b', 'c']) log.emit(cardAdded, { cardId: id, columnId: 'todo', title: id.toUpperCase(), at: 1 })
    log.emit(cardMoved, { cardId: 'c', to: 'done', position: null, at: 2 })
    log.emit(cardMoved, { cardId: 'a', to: 'done', position: 0, at: 3 })
    log.emit(cardArchived, { cardId: 'b', at: 4 })
    const ghost = log.emit(cardMoved, { cardId: 'ghost', to: 'done', position: null, at: 5 })
    const duplicate = log.emit(cardAdded, { cardId: 'a', columnId: 'todo', title: 'again', at: 6 })
    expect(view.state.order).toEqual(['todo', 'done'])
    expect(view.state.columns.todo?.cards).toEqual([])
    expect(view.state.columns.done?.cards).toEqual(['a', 'c'])
    expect(view.state.cards.b).toEqual({ title: 'B', column: 'todo', archived: true, updatedAt: 4 })
    expect(view.rejected.get(ghost)).toBe('reduce: no card ghost')
    expect(view.rejected.get(duplicate)).toBe('reduce: card a exists')
    await log.close()
  })

  it('reads card.moved v1 events written by an older app', async () => {
    const doc = new Y.Doc()
    const current = await openEventLog(doc, { events: boardEvents, heartbeatMs: false })
    current.emit(columnAdded, { columnId: 'todo', title: 'To do', wipLimit: null })
    current.emit(columnAdded, { columnId: 'done', title: 'Done', wipLimit: null })
    current.emit(cardAdded, { cardId: 'a', columnId: 'todo', title: 'A', at: 1 })
    const old = await openEventLog(doc, { heartbeatMs: false })
    const movedV1 = defineEvent('card.moved', { schema: (d): d is { cardId: string; column: string; at: number } => typeof d === 'object' })
    old.emit(movedV1, { cardId: 'a', column: 'done', at: 2 })
    const view = current.projection(board)
    expect(view.state.columns.done?.cards).toEqual(['a'])
    expect(current.events().at(-1)).toMatchObject({ v: 2, data: { cardId: 'a', to: 'done', position: null, at: 2 } })
    await Promise.all([old.close(), current.close()])
  })

  it('two partitioned replicas filling a WIP-limited column converge on one winner', async () => {
    const network = createNetwork(2, 21)
    const logs = await Promise.all(network.docs.map((doc) => openEventLog(doc, { events: boardEvents, projections: [board], heartbeatMs: false })))
    logs[0]!.emit(columnAdded, { columnId: 'todo', title: 'To do', wipLimit: null })
    logs[0]!.emit(columnAdded, { columnId: 'doing', title: 'Doing', wipLimit: 1 })
    logs[0]!.emit(cardAdded, { cardId: 'a', columnId: 'todo', title: 'A', at: 1 })
    logs[0]!.emit(cardAdded, { cardId: 'b', columnId: 'todo', title: 'B', at: 1 })
    network.flush()
    network.partition((doc) => doc)
    logs[0]!.emit(cardMoved, { cardId: 'a', to: 'doing', position: null, at: 2 })
    logs[1]!.emit(cardMoved, { cardId: 'b', to: 'doing', position: null, at: 2 })
    expect(logs[0]!.projection(board).state.columns.doing?.cards).toEqual(['a'])
    expect(logs[1]!.projection(board).state.columns.doing?.cards).toEqual(['b'])
    network.flush()
    const [left, right] = logs.map((log) => log.projection(board))
    expect(left!.state.columns.doing?.cards).toHaveLength(1)
    expect(left!.state).toEqual(right!.state)
    expect(left!.stateHash).toBe(stateHash(right!.state))
    expect([...left!.rejected.values()]).toEqual(['wipLimit'])
    await Promise.all(logs.map((log) => log.close()))
  })
})
