import { openReplica } from '@driftless/replica'
import { describe, expect, it } from 'vitest'
import { HandlerScope, memoryCheckpoints, openEventLog } from '../src/index.js'
import { board, boardEvents, cardAdded, columnAdded } from '../src/examples/board.js'

describe('on a @driftless/replica', () => {
  it('runs on a memory-backed replica in Node (server-side handlers) and survives a reopen of its storage', async () => {
    const replica = openReplica({ docId: `events-${Math.random()}`, storage: 'memory', crossTab: false })
    await replica.loaded
    const checkpoints = memoryCheckpoints()
    const log = await openEventLog(replica, { events: boardEvents, projections: [board], checkpoints, heartbeatMs: false })
    expect(replica.isLeader).toBe(true)
    const handled: string[] = []
    log.handle('index', { scope: HandlerScope.EveryReplica, events: [cardAdded], run: (event) => { handled.push(event.data.cardId) } })
    log.emit(columnAdded, { columnId: 'todo', title: 'To do', wipLimit: null })
    log.emit(cardAdded, { cardId: 'a', columnId: 'todo', title: 'A', at: 1 })
    await log.whenHandled()
    expect(handled).toEqual(['a'])
    expect(log.projection(board).state.columns.todo?.cards).toEqual(['a'])
    // The events live in the replica's document.
    expect(replica.doc.getMap('driftless.events').size).toBe(1)
    await log.close({ leave: false })
    const again = await openEventLog(replica, { events: boardEvents, checkpoints, heartbeatMs: false })
    again.handle('index', { scope: HandlerScope.EveryReplica, events: [cardAdded], run: (event) => { handled.push(event.data.cardId) } })
    await again.whenHandled()
    expect(handled).toEqual(['a'])
    await again.close()
    await replica.close()
  })
})
