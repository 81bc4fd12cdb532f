import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { memoryCheckpoints, openEventLog, stateHash, type CheckpointStore, type Envelope, type EventLog } from '../src/index.js'
import { board, boardEvents, cardAdded, cardArchived, cardMoved, columnAdded, moveRefused } from '../src/examples/board.js'
import { createNetwork } from './network.js'

const COLUMNS = ['todo', 'doing', 'done'] as const

type Action =
  | { kind: 'add'; replica: number; card: number; column: number }
  | { kind: 'move'; replica: number; card: number; column: number }
  | { kind: 'archive'; replica: number; card: number }
  | { kind: 'compensate'; replica: number }
  | { kind: 'deliver'; count: number }
  | { kind: 'partition'; mask: number }
  | { kind: 'heal' }
  | { kind: 'tick'; replica: number }
  | { kind: 'reload'; replica: number }

const action = (replicas: number): fc.Arbitrary<Action> => {
  const replica = fc.nat({ max: replicas - 1 })
  const card = fc.nat({ max: 7 })
  const column = fc.nat({ max: COLUMNS.length - 1 })
  return fc.oneof(
    { weight: 3, arbitrary: fc.record({ kind: fc.constant('add' as const), replica, card, column }) },
    { weight: 4, arbitrary: fc.record({ kind: fc.constant('move' as const), replica, card, column }) },
    { weight: 1, arbitrary: fc.record({ kind: fc.constant('archive' as const), replica, card }) },
    { weight: 1, arbitrary: fc.record({ kind: fc.constant('compensate' as const), replica }) },
    { weight: 4, arbitrary: fc.record({ kind: fc.constant('deliver' as const), count: fc.integer({ min: 1, max: 8 }) }) },
    { weight: 1, arbitrary: fc.record({ kind: fc.constant('partition' as const), mask: fc.nat({ max: 15 }) }) },
    { weight: 1, arbitrary: fc.record({ kind: fc.constant('heal' as const) }) },
    { weight: 3, arbitrary: fc.record({ kind: fc.constant('tick' as const), replica }) },
    { weight: 1, arbitrary: fc.record({ kind: fc.constant('reload' as const), replica }) },
  )
}

const scenario = fc.integer({ min: 2, max: 4 }).chain((replicas) =>
  fc.record({ replicas: fc.constant(replicas), seed: fc.integer(), actions: fc.array(action(replicas), { minLength: 30, maxLength: 80 }) }),
)

interface Stable { readonly ids: string[]; readonly hash: string }

async function run({ replicas, seed, actions }: { replicas: number; seed: number; actions: Action[] }): Promise<void> {
  const network = createNetwork(replicas, seed)
  const stores: CheckpointStore[] = network.docs.map(() => memoryCheckpoints())
  const open = (i: number): Promise<EventLog> =>
    openEventLog(network.docs[i]!, { events: boardEvents, projections: [board], heartbeatMs: false, snapshotEvery: 4, maxStreamLength: 6, checkpoints: stores[i] })
  const logs = await Promise.all(network.docs.map((_, i) => open(i)))
  // Every device announces itself before anyone relies on stability (see README: stability assumes known devices).
  logs[0]!.emit(columnAdded, { columnId: 'todo', title: 'To do', wipLimit: null })
  logs[0]!.emit(columnAdded, { columnId: 'doing', title: 'Doing', wipLimit: 1 })
  logs[replicas - 1]!.emit(columnAdded, { columnId: 'done', title: 'Done', wipLimit: 2 })
  network.flush()
  for (let card = 0; card < 6; card++) logs[card % replicas]!.emit(cardAdded, { cardId: `c${card}`, columnId: 'todo', title: `card ${card}`, at: 0 })
  network.flush()
  const causal: Array<{ before: string[]; id: string }> = []
  const stableSeen: Stable[] = []
  let time = 0
  const emit = (i: number, write: (log: EventLog) => string): void => {
    const log = logs[i]!
    const before = log.events().map((event) => event.id)
    const id = write(log)
    // A duplicate compensation returns the existing one's id instead of writing.
    if (!before.includes(id)) causal.push({ before, id })
  }
  for (const step of actions) {
    switch (step.kind) {
      case 'add': emit(step.replica, (log) => log.emit(cardAdded, { cardId: `c${step.card}`, columnId: COLUMNS[step.column]!, title: `card ${step.card}`, at: ++time })); break
      case 'move': emit(step.replica, (log) => log.emit(cardMoved, { cardId: `c${step.card}`, to: COLUMNS[step.column]!, position: null, at: ++time })); break
      case 'archive': emit(step.replica, (log) => log.emit(cardArchived, { cardId: `c${step.card}`, at: ++time })); break
      case 'compensate': {
        // Any replica may (wrongly) compensate a rejected move: duplicates must collapse everywhere.
        const log = logs[step.replica]!
        const rejected = [...log.projection(board).rejected.keys()].find((id) => log.events().find((e) => e.id === id)?.type === 'card.moved')
        if (rejected !== undefined) emit(step.replica, (l) => l.emit(moveRefused, { cardId: 'x', to: 'todo', reason: 'wipLimit' }, { compensates: rejected }))
        break
      }
      case 'deliver': for (let k = 0; k < step.count; k++) network.deliverOne(); break
      case 'partition': network.partition((doc) => (step.mask >> doc) & 1); break
      case 'heal': network.heal(); break
      case 'tick': logs[step.replica]!.tick(); break
      case 'reload': {
        // The store survives, as IndexedDB would: the device comes back, so it must not leave.
        await logs[step.replica]!.close({ leave: false })
        logs[step.replica] = await open(step.replica)
        break
      }
    }
    for (const log of logs) {
      const projection = log.projection(board)
      stableSeen.push({ ids: log.events().slice(0, projection.stableCount).map((e) => e.id), hash: projection.stableHash })
    }
  }
  network.flush()
  for (const log of logs) log.tick()
  network.flush()

  const orders = logs.map((log) => log.events().map((event) => event.id))
  const projections = logs.map((log) => log.projection(board))
  for (let i = 1; i < replicas; i++) {
    expect(orders[i]).toEqual(orders[0])
    expect(projections[i]!.state).toEqual(projections[0]!.state)
    expect(projections[i]!.stateHash).toBe(projections[0]!.stateHash)
    expect([...projections[i]!.rejected].sort()).toEqual([...projections[0]!.rejected].sort())
    expect(projections[i]!.stableHash).toBe(projections[0]!.stableHash)
    expect(logs[i]!.watermark).toBe(logs[0]!.watermark)
  }
  // Causally later events sort later.
  const position = new Map(orders[0]!.map((id, i) => [id, i]))
  for (const { before, id } of causal) for (const earlier of before) expect(position.get(earlier)!).toBeLessThan(position.get(id)!)
  // Stable means final: every stable prefix seen along the way is a prefix of the final order, with the same state.
  const finalProjection = projections[0]!
  for (const { ids, hash } of stableSeen) {
    expect(orders[0]!.slice(0, ids.length)).toEqual(ids)
    expect(hash).toBe(stableHashAt(logs[0]!, ids.length))
  }
  expect(finalProjection.stableState).toEqual(finalProjection.state)
  for (const log of logs) await log.close()
  network.destroy()
}

/** The stable hash a fresh log would report for the first `count` events: fold them from scratch. */
function stableHashAt(log: EventLog, count: number): string {
  const events = log.events().slice(0, count)
  return referenceHash(events)
}

function referenceHash(events: Envelope[]): string {
  let state = board.initial
  const applied = new Set<string>()
  for (const event of events) {
    const typed = event as Parameters<typeof board.reduce>[1]
    if (typed.compensates !== undefined && applied.has(typed.compensates)) continue
    let next
    try { next = board.reduce(state, typed) } catch { continue }
    if (!board.invariants!.wipLimit!(next, typed)) continue
    state = next
    if (typed.compensates !== undefined) applied.add(typed.compensates)
  }
  return stateHash(state)
}

describe('convergence', () => {
  it('replicas holding the same events agree on order, state, hashes and rejections; stable is final', { timeout: 300_000 }, async () => {
    await fc.assert(fc.asyncProperty(scenario, run), { numRuns: Number(process.env.DRIFTLESS_EVENTS_FUZZ_RUNS ?? 40) })
  })
})
