import fc from 'fast-check'
import { afterEach, describe, expect, it } from 'vitest'
import { createRng } from '@driftless/testkit/support'
import { FakeRelay } from './fake-relay.js'
import { closeAll, replica, text } from './helpers.js'

/** Runs: short in `npm test`; `DRIFTLESS_FUZZ_RUNS=500 npx vitest run --root packages/replica convergence` for long. */
const runs = Number(process.env.DRIFTLESS_FUZZ_RUNS ?? 25)

type Command =
  | { kind: 'edit'; replica: number; at: number; char: string }
  | { kind: 'deliver'; frames: number }
  | { kind: 'drop' }
  | { kind: 'toggle'; replica: number }

const command = (replicas: number): fc.Arbitrary<Command> => fc.oneof(
  { weight: 4, arbitrary: fc.record({ kind: fc.constant('edit' as const), replica: fc.nat(replicas - 1), at: fc.nat(20), char: fc.constantFrom('a', 'b', 'c', 'd') }) },
  { weight: 4, arbitrary: fc.record({ kind: fc.constant('deliver' as const), frames: fc.integer({ min: 1, max: 8 }) }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('drop' as const) }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('toggle' as const), replica: fc.nat(replicas - 1) }) },
)

const tick = () => new Promise((resolve) => setTimeout(resolve, 1))

let relay: FakeRelay | undefined
afterEach(async () => {
  await closeAll()
  relay?.dispose()
})

describe('convergence under random delivery, reordering and connection loss', () => {
  it('N replicas converge with the relay, and nothing stays pending', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 2, max: 4 }).chain((n) => fc.tuple(fc.constant(n), fc.array(command(n), { maxLength: 60 }), fc.integer())),
        async ([n, commands, seed]) => {
          await closeAll()
          relay?.dispose()
          relay = new FakeRelay(false)
          const random = createRng(seed).next // the delivery order replays from the printed seed
          const replicas = Array.from({ length: n }, () =>
            replica({ relay: relay!.url, heartbeat: { idleMs: 60_000, timeoutMs: 120_000 }, backoff: { baseMs: 1, capMs: 2 } }))
          await Promise.all(replicas.map((r) => r.loaded))
          const expected: string[] = []
          for (const c of commands) {
            if (c.kind === 'edit') {
              const t = replicas[c.replica]!.doc.getText('t')
              t.insert(Math.min(c.at, t.length), c.char)
              expected.push(c.char)
            } else if (c.kind === 'deliver') {
              for (let i = 0; i < c.frames; i++) relay!.deliverOne(random)
            } else if (c.kind === 'drop') {
              relay!.dropAll()
            } else {
              const r = replicas[c.replica]!
              if (r.status === 'offline' && !(r as unknown as { connected?: boolean }).connected) r.connect()
              else r.disconnect()
            }
            await tick()
          }
          for (const r of replicas) r.connect()
          // Heal: deliver everything, in random order, until nothing moves (bounded).
          for (let round = 0; round < 2_000; round++) {
            const moved = relay!.deliverOne(random)
            await tick()
            const done = !moved && relay!.pendingFrames() === 0 && replicas.every((r) => r.pending === 0 && r.status === 'synced')
            if (done) break
          }
          const texts = replicas.map((r) => text(r))
          for (const t of texts) expect(t).toBe(relay!.text('doc'))
          expect([...texts[0]!].sort().join('')).toBe(expected.sort().join(''))
          for (const r of replicas) expect(r.pending).toBe(0)
        },
      ),
      { numRuns: runs },
    )
  })
})
