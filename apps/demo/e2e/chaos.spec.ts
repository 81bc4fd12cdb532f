import { chaos, test } from '@driftless/testkit'
import { addCardSaved, expectExactly, openBoards, readDoc, uniqueDoc } from './board.js'

const steps = Number(process.env.DRIFTLESS_CHAOS_STEPS || 50)

test(`seeded chaos: ${steps} steps of edits, partitions, reloads, tab closes and relay kills converge @chaos`, async ({ openClients, relay }, testInfo) => {
  test.setTimeout(Math.max(180_000, steps * 1_500))
  const clients = await openBoards(openClients, 3, uniqueDoc(testInfo), { tabs: 2 })
  const result = await chaos({
    steps,
    clients,
    relay,
    // Each edit is a card with a unique text, saved locally before the step ends (the write has "returned").
    edit: async (page, { rng, step }) => {
      const text = `s${step}-${rng.word(4)}`
      await addCardSaved(page, text)
      return text
    },
    read: readDoc,
    convergeTimeout: 30_000,
  })
  // Nothing lost, nothing duplicated: every edit made anywhere is on the board exactly once.
  expectExactly(result.finalState, result.edits)
  testInfo.annotations.push({ type: 'chaos', description: `seed ${result.seed}, ${result.steps} steps, converged in ${result.convergeMs} ms` })
})
