import { describe, expect, it } from 'vitest'
import { planChaos, type ChaosStep } from '../src/chaos-plan.js'
import { createRng, deriveSeed } from '../src/rng.js'

describe('createRng', () => {
  it('gives the same sequence for the same seed and another for another seed', () => {
    const draw = (seed: number) => Array.from({ length: 5 }, createRng(seed).next)
    const a = createRng(7)
    const b = createRng(7)
    expect([a.next(), a.int(1, 6), a.word()]).toEqual([b.next(), b.int(1, 6), b.word()])
    expect(draw(1)).not.toEqual(draw(2))
    expect(deriveSeed(1, 1)).not.toBe(deriveSeed(1, 2))
  })

  it('keeps int within bounds', () => {
    const rng = createRng(3)
    const values = Array.from({ length: 500 }, () => rng.int(2, 4))
    expect(new Set(values)).toEqual(new Set([2, 3, 4]))
  })
})

describe('planChaos', () => {
  const options = { seed: 1234, steps: 500, clients: 3, tabs: 2, relay: true }

  it('is a pure function of the seed', () => {
    expect(planChaos(options)).toEqual(planChaos(options))
    expect(planChaos({ ...options, seed: 1235 })).not.toEqual(planChaos(options))
  })

  it('only plans steps that apply to the simulated state', () => {
    const tabs = [2, 2, 2]
    const cut = new Set<number>()
    let relayUp = true
    const kinds = new Set<string>()
    for (const step of planChaos(options) as ChaosStep[]) {
      kinds.add(step.kind)
      if ('tab' in step) expect(step.tab).toBeLessThan(tabs[step.client] ?? 0)
      if (step.kind === 'heal') expect(cut.has(step.client)).toBe(true)
      if (step.kind === 'partition') expect(cut.has(step.client)).toBe(false)
      if (step.kind === 'closeTab') expect(tabs[step.client]).toBeGreaterThan(1)
      if (step.kind === 'restartRelay') expect(relayUp).toBe(false)
      if (step.kind === 'killRelay') expect(relayUp).toBe(true)
      if (step.kind === 'partition') cut.add(step.client)
      if (step.kind === 'heal') cut.delete(step.client)
      if (step.kind === 'closeTab') tabs[step.client] = (tabs[step.client] ?? 0) - 1
      if (step.kind === 'openTab') tabs[step.client] = (tabs[step.client] ?? 0) + 1
      if (step.kind === 'killRelay') relayUp = false
      if (step.kind === 'restartRelay') relayUp = true
      for (const count of tabs) expect(count).toBeGreaterThanOrEqual(1)
    }
    expect(kinds).toEqual(new Set(['edit', 'partition', 'heal', 'reload', 'closeTab', 'openTab', 'killRelay', 'restartRelay']))
  })

  it('never kills a relay it may not touch', () => {
    const plan = planChaos({ ...options, relay: false })
    expect(plan.some((step) => step.kind === 'killRelay' || step.kind === 'restartRelay')).toBe(false)
  })
})
