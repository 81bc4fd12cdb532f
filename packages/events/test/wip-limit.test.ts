import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { openEventLog, type EventLog } from '../src/index.js'
import { board, boardEvents, cardAdded, cardArchived, cardMoved, cardRestored, columnAdded, type Board } from '../src/examples/board.js'
import { createNetwork } from './network.js'

const COLUMNS = [
  { columnId: 'todo', title: 'To do', wipLimit: null },
  { columnId: 'doing', title: 'Doing', wipLimit: 1 },
  { columnId: 'done', title: 'Done', wipLimit: 2 },
] as const

/** Every way a card can enter a column, and the network between the replicas, in any order. */
type Step =
  | { kind: 'add'; replica: number; card: number; column: number }
  | { kind: 'move'; replica: number; card: number; column: number }
  | { kind: 'archive'; replica: number; card: number }
  | { kind: 'restore'; replica: number; card: number }
  | { kind: 'deliver'; count: number }
  | { kind: 'partition'; mask: number }
  | { kind: 'heal' }
  | { kind: 'tick'; replica: number }

const step = (replicas: number): fc.Arbitrary<Step> => {
  const replica = fc.nat({ max: replicas - 1 })
  // Few card ids, so the same card is often added twice, moved and re-added concurrently, restored twice.
  const card = fc.nat({ max: 5 })
  const column = fc.nat({ max: COLUMNS.length - 1 })
  return fc.oneof(
    { weight: 4, arbitrary: fc.record({ kind: fc.constant('add' as const), replica, card, column }) },
    { weight: 4, arbitrary: fc.record({ kind: fc.constant('move' as const), replica, card, column }) },
    { weight: 2, arbitrary: fc.record({ kind: fc.constant('archive' as const), replica, card }) },
    { weight: 2, arbitrary: fc.record({ kind: fc.constant('restore' as const), replica, card }) },
    { weight: 4, arbitrary: fc.record({ kind: fc.constant('deliver' as const), count: fc.integer({ min: 1, max: 6 }) }) },
    { weight: 1, arbitrary: fc.record({ kind: fc.constant('partition' as const), mask: fc.nat({ max: 15 }) }) },
    { weight: 1, arbitrary: fc.record({ kind: fc.constant('heal' as const) }) },
    { weight: 2, arbitrary: fc.record({ kind: fc.constant('tick' as const), replica }) },
  )
}

const scenario = fc.integer({ min: 2, max: 4 }).chain((replicas) =>
  fc.record({ replicas: fc.constant(replicas), seed: fc.integer(), steps: fc.array(step(replicas), { minLength: 20, maxLength: 60 }) }),
)

/** Columns holding more cards than their limit allows (none, if the invariant holds). */
const overLimit = (state: Board): string[] =>
  Object.entries(state.columns).flatMap(([id, column]) =>
    column.wipLimit !== null && column.cards.length > column.wipLimit ? [`${id}: ${column.cards.length} > ${column.wipLimit}`] : [])

async function run({ replicas, seed, steps }: { replicas: number; seed: number; steps: Step[] }): Promise<void> {
  const network = createNetwork(replicas, seed)
  const logs: EventLog[] = await Promise.all(network.docs.map((doc) => openEventLog(doc, { events: boardEvents, projections: [board], heartbeatMs: false })))
  for (const column of COLUMNS) logs[0]!.emit(columnAdded, column)
  network.flush()
  const checkEveryReplica = (): void => {
    for (const log of logs) {
      const view = log.projection(board)
      expect(overLimit(view.stableState)).toEqual([])
      expect(overLimit(view.state)).toEqual([])
    }
  }
  let time = 0
  for (const s of steps) {
    switch (s.kind) {
      case 'add': logs[s.replica]!.emit(cardAdded, { cardId: `c${s.card}`, columnId: COLUMNS[s.column]!.columnId, title: `card ${s.card}`, at: ++time }); break
      case 'move': logs[s.replica]!.emit(cardMoved, { cardId: `c${s.card}`, to: COLUMNS[s.column]!.columnId, position: null, at: ++time }); break
      case 'archive': logs[s.replica]!.emit(cardArchived, { cardId: `c${s.card}`, at: ++time }); break
      case 'restore': logs[s.replica]!.emit(cardRestored, { cardId: `c${s.card}`, at: ++time }); break
      case 'deliver': for (let k = 0; k < s.count; k++) network.deliverOne(); break
      case 'partition': network.partition((doc) => (s.mask >> doc) & 1); break
      case 'heal': network.heal(); break
      case 'tick': logs[s.replica]!.tick(); break
    }
    checkEveryReplica()
  }
  network.flush()
  for (const log of logs) log.tick()
  network.flush()
  checkEveryReplica()
  // Once everyone holds every event, all stable boards are the same board.
  const [first, ...rest] = logs.map((log) => log.projection(board).stableState)
  for (const other of rest) expect(other).toEqual(first)
  await Promise.all(logs.map((log) => log.close()))
  network.destroy()
}

describe('the board\'s work-in-progress limit', () => {
  it('holds on every replica, stable and tentative, whatever the concurrent order of adds, moves and restores', { timeout: 300_000 }, async () => {
    await fc.assert(fc.asyncProperty(scenario, run), { numRuns: Number(process.env.DRIFTLESS_EVENTS_FUZZ_RUNS ?? 60) })
  })

  it('refuses a card added, moved or restored into a full column', async () => {
    const log = await openEventLog(createNetwork(1, 1).docs[0]!, { events: boardEvents, heartbeatMs: false })
    const view = log.projection(board)
    for (const column of COLUMNS) log.emit(columnAdded, column)
    log.emit(cardAdded, { cardId: 'a', columnId: 'doing', title: 'A', at: 1 })
    log.emit(cardAdded, { cardId: 'b', columnId: 'todo', title: 'B', at: 2 })
    const added = log.emit(cardAdded, { cardId: 'c', columnId: 'doing', title: 'C', at: 3 })
    const moved = log.emit(cardMoved, { cardId: 'b', to: 'doing', position: null, at: 4 })
    log.emit(cardArchived, { cardId: 'a', at: 5 })
    log.emit(cardMoved, { cardId: 'b', to: 'doing', position: null, at: 6 })
    const restored = log.emit(cardRestored, { cardId: 'a', at: 7 })
    expect(view.state.columns.doing?.cards).toEqual(['b'])
    expect([added, moved, restored].map((id) => view.rejected.get(id))).toEqual(['wipLimit', 'wipLimit', 'wipLimit'])
    await log.close()
  })
})
