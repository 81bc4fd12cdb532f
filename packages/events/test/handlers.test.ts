import 'fake-indexeddb/auto'
import * as Y from 'yjs'
import { describe, expect, it } from 'vitest'
import { HandlerScope, indexedDbCheckpoints, memoryCheckpoints, openEventLog, type EventLog, type ReplicaLike } from '../src/index.js'
import { board, boardEvents, cardAdded, cardMoved, columnAdded, handleRefusedMoves } from '../src/examples/board.js'
import { createNetwork } from './network.js'

const setupBoard = (log: EventLog): void => {
  log.emit(columnAdded, { columnId: 'todo', title: 'To do', wipLimit: null })
  log.emit(columnAdded, { columnId: 'doing', title: 'Doing', wipLimit: 1 })
}

describe('handlers', () => {
  it('run once per event, with the idempotency key handlerName:eventId', async () => {
    const log = await openEventLog(new Y.Doc(), { events: boardEvents, heartbeatMs: false })
    const keys: string[] = []
    log.handle('audit', { scope: HandlerScope.EveryReplica, events: [cardAdded], run: (_event, { idempotencyKey }) => { keys.push(idempotencyKey) } })
    setupBoard(log)
    const a = log.emit(cardAdded, { cardId: 'a', columnId: 'todo', title: 'A', at: 1 })
    const b = log.emit(cardAdded, { cardId: 'b', columnId: 'todo', title: 'B', at: 2 })
    await log.whenHandled()
    expect(keys).toEqual([`audit:${a}`, `audit:${b}`])
    await log.close()
  })

  it('do not run again after a reload (IndexedDB checkpoints), and resume with new events', async () => {
    const name = `reload-${Math.random()}`
    const first = new Y.Doc()
    const store = indexedDbCheckpoints(name)
    const seen: string[] = []
    const register = (log: EventLog): void => {
      log.handle('welcome', { scope: HandlerScope.OriginOnly, events: [cardAdded], run: (event) => { seen.push(event.data.cardId) } })
    }
    const log = await openEventLog(first, { events: boardEvents, checkpoints: store, heartbeatMs: false })
    register(log)
    setupBoard(log)
    log.emit(cardAdded, { cardId: 'a', columnId: 'todo', title: 'A', at: 1 })
    log.emit(cardAdded, { cardId: 'b', columnId: 'todo', title: 'B', at: 2 })
    await log.whenHandled()
    await log.close({ closeStream: false }) // a reload does not say goodbye
    await store.close()

    const reloaded = new Y.Doc()
    Y.applyUpdate(reloaded, Y.encodeStateAsUpdate(first))
    const storeAgain = indexedDbCheckpoints(name)
    const again = await openEventLog(reloaded, { events: boardEvents, checkpoints: storeAgain, heartbeatMs: false })
    expect(again.deviceId).toBe(log.deviceId)
    expect(again.stream).not.toBe(log.stream)
    register(again)
    await again.whenHandled()
    expect(seen).toEqual(['a', 'b'])
    again.emit(cardAdded, { cardId: 'c', columnId: 'todo', title: 'C', at: 3 })
    await again.whenHandled()
    expect(seen).toEqual(['a', 'b', 'c'])
    await again.close()
    await storeAgain.close()
  })

  it('originOnly runs on exactly one replica: the writer', async () => {
    const network = createNetwork(3, 7)
    const logs = await Promise.all(network.docs.map((doc) => openEventLog(doc, { events: boardEvents, heartbeatMs: false })))
    const ranOn = new Map<string, number[]>()
    logs.forEach((log, replica) =>
      log.handle('notify', {
        scope: HandlerScope.OriginOnly,
        events: [cardAdded],
        run: (event) => { ranOn.set(event.id, [...(ranOn.get(event.id) ?? []), replica]) },
      }))
    setupBoard(logs[0]!)
    const written = new Map<string, number>()
    for (let i = 0; i < 9; i++) {
      const replica = i % 3
      written.set(logs[replica]!.emit(cardAdded, { cardId: `c${i}`, columnId: 'todo', title: `${i}`, at: i }), replica)
      network.deliverOne()
    }
    network.flush()
    await Promise.all(logs.map((log) => log.whenHandled()))
    expect(logs[1]!.events().filter((event) => event.type === 'card.added')).toHaveLength(9)
    expect([...ranOn.keys()].sort()).toEqual([...written.keys()].sort())
    for (const [id, replica] of written) expect(ranOn.get(id)).toEqual([replica])
    await Promise.all(logs.map((log) => log.close()))
  })

  it('stableOnly never fires for a move later rejected by the WIP limit; the mover alone records the refusal', async () => {
    const network = createNetwork(2, 11)
    const [left, right] = await Promise.all(network.docs.map((doc) =>
      openEventLog(doc, { events: boardEvents, projections: [board], heartbeatMs: false })))
    if (!left || !right) throw new Error('two logs')
    const fired: Array<[string, string]> = []
    const refusals: string[] = []
    for (const [name, log] of [['left', left], ['right', right]] as const) {
      log.handle('ship', { scope: HandlerScope.StableOnly, events: [cardMoved], run: (event) => { fired.push([name, event.id]) } })
      handleRefusedMoves(log, () => refusals.push(name))
    }
    setupBoard(left)
    network.flush() // right must see the columns before it adds a card to one
    left.emit(cardAdded, { cardId: 'a', columnId: 'todo', title: 'A', at: 1 })
    right.emit(cardAdded, { cardId: 'b', columnId: 'todo', title: 'B', at: 2 })
    network.flush()
    network.partition((doc) => doc)
    const moveA = left.emit(cardMoved, { cardId: 'a', to: 'doing', position: null, at: 3 })
    const moveB = right.emit(cardMoved, { cardId: 'b', to: 'doing', position: null, at: 3 })
    // Each side accepts its own move tentatively; neither is stable while the other device may still write.
    expect(left.projection(board).rejected.has(moveA)).toBe(false)
    expect(right.projection(board).rejected.get(moveB)).toBe(undefined)
    left.tick()
    right.tick()
    await Promise.all([left.whenHandled(), right.whenHandled()])
    expect(fired).toEqual([])

    network.flush()
    left.tick()
    right.tick()
    network.flush()
    await Promise.all([left.whenHandled(), right.whenHandled()])
    const [accepted, rejected] = moveA < moveB ? [moveA, moveB] : [moveB, moveA]
    // Same lamport: the tie is broken by stream id, identically everywhere.
    expect(left.projection(board).rejected.get(rejected)).toBe('wipLimit')
    expect(right.projection(board).rejected.get(rejected)).toBe('wipLimit')
    expect(fired.sort()).toEqual([['left', accepted], ['right', accepted]])
    expect(refusals).toEqual([rejected === moveA ? 'left' : 'right'])
    network.flush()
    expect(left.projection(board).state.refusals).toEqual([{ cardId: rejected === moveA ? 'a' : 'b', to: 'doing', reason: 'wipLimit' }])
    expect(right.projection(board).stateHash).toBe(left.projection(board).stateHash)
    await Promise.all([left.close(), right.close()])
  })

  it('a compensation applies once, however many replicas write one', async () => {
    const network = createNetwork(2, 3)
    const [left, right] = await Promise.all(network.docs.map((doc) =>
      openEventLog(doc, { events: boardEvents, projections: [board], heartbeatMs: false })))
    if (!left || !right) throw new Error('two logs')
    setupBoard(left)
    left.emit(cardAdded, { cardId: 'a', columnId: 'todo', title: 'A', at: 1 })
    left.emit(cardAdded, { cardId: 'b', columnId: 'todo', title: 'B', at: 1 })
    left.emit(cardMoved, { cardId: 'a', to: 'doing', position: null, at: 2 })
    const refused = left.emit(cardMoved, { cardId: 'b', to: 'doing', position: null, at: 3 })
    network.flush()
    const { moveRefused } = await import('../src/examples/board.js')
    const first = left.emit(moveRefused, { cardId: 'b', to: 'doing', reason: 'wipLimit' }, { compensates: refused })
    expect(left.emit(moveRefused, { cardId: 'b', to: 'doing', reason: 'wipLimit' }, { compensates: refused })).toBe(first)
    const second = right.emit(moveRefused, { cardId: 'b', to: 'doing', reason: 'wipLimit' }, { compensates: refused })
    network.flush()
    for (const log of [left, right]) {
      expect(log.projection(board).state.refusals).toHaveLength(1)
      const duplicate = [first, second].sort((x, y) => {
        const order = log.events().map((event) => event.id)
        return order.indexOf(x) - order.indexOf(y)
      })[1]!
      expect(log.projection(board).rejected.get(duplicate)).toBe('duplicate-compensation')
    }
    await Promise.all([left.close(), right.close()])
  })

  it('run only while the replica leads', async () => {
    const listeners = new Set<(isLeader: boolean) => void>()
    const replica = {
      doc: new Y.Doc(),
      isLeader: false as boolean,
      on: (_event: 'leader', listener: (isLeader: boolean) => void) => {
        listeners.add(listener)
        return () => listeners.delete(listener)
      },
    } satisfies ReplicaLike
    const log = await openEventLog(replica, { events: boardEvents, heartbeatMs: false, checkpoints: memoryCheckpoints() })
    const seen: string[] = []
    log.handle('lead', { scope: HandlerScope.EveryReplica, events: [cardAdded], run: (event) => { seen.push(event.data.cardId) } })
    setupBoard(log)
    log.emit(cardAdded, { cardId: 'a', columnId: 'todo', title: 'A', at: 1 })
    await log.whenHandled()
    expect(seen).toEqual([])
    replica.isLeader = true
    for (const listener of listeners) listener(true)
    await log.whenHandled()
    expect(seen).toEqual(['a'])
    await log.close()
    expect(listeners.size).toBe(0)
  })

  it('a throwing handler is reported and retried on the next change, without skipping the event', async () => {
    const errors: string[] = []
    const log = await openEventLog(new Y.Doc(), { events: boardEvents, heartbeatMs: false, onError: (_error, { eventId }) => errors.push(eventId) })
    let failures = 1
    const seen: string[] = []
    log.handle('flaky', {
      scope: HandlerScope.EveryReplica,
      events: [cardAdded],
      run: (event) => {
        if (failures-- > 0) throw new Error('down')
        seen.push(event.data.cardId)
      },
    })
    setupBoard(log)
    const a = log.emit(cardAdded, { cardId: 'a', columnId: 'todo', title: 'A', at: 1 })
    await log.whenHandled()
    expect(errors).toEqual([a])
    expect(seen).toEqual([])
    log.emit(cardAdded, { cardId: 'b', columnId: 'todo', title: 'B', at: 2 })
    await log.whenHandled()
    expect(seen).toEqual(['a', 'b'])
    await log.close()
  })
})
