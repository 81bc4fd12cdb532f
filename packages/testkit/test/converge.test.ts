import type { Page } from '@playwright/test'
import { describe, expect, it } from 'vitest'
import { Client } from '../src/clients.js'
import { ConvergenceError, expectConverged } from '../src/converge.js'
import type { TcpProxy } from '../src/proxy.js'

/** Stand-ins for pages: expectConverged only asks whether they are closed and hands them to `read`. */
const fakeClient = (index: number, tabs: number): Client => {
  const client = new Client(index, {} as never, {} as TcpProxy, '/', undefined)
  for (let tab = 0; tab < tabs; tab++) client.pages.push({ isClosed: () => false, id: `${index}/${tab}` } as unknown as Page)
  return client
}
const idOf = (page: Page): string => (page as unknown as { id: string }).id

describe('expectConverged', () => {
  it('resolves once every tab reads the same state', async () => {
    const clients = [fakeClient(0, 2), fakeClient(1, 1)]
    let calls = 0
    const result = await expectConverged(clients, async () => ({ n: calls++ >= 3 ? 1 : calls }), { timeout: 2_000, interval: 5 })
    expect(result.value).toEqual({ n: 1 })
  })

  it('does not take an agreement that lasts one poll for convergence', async () => {
    // Both tabs pass through ['a'] at the same poll (one mid-update), then settle on ['a', 'b'].
    const clients = [fakeClient(0, 1), fakeClient(1, 1)]
    const reads = new Map<string, number>()
    const timeline: Record<string, string[][]> = { '0/0': [['a'], ['a'], ['a', 'b']], '1/0': [['b'], ['a'], ['a', 'b']] }
    const read = async (page: Page): Promise<string[]> => {
      const n = reads.get(idOf(page)) ?? 0
      reads.set(idOf(page), n + 1)
      const states = timeline[idOf(page)]!
      return states[Math.min(n, states.length - 1)]!
    }
    const result = await expectConverged(clients, read, { timeout: 2_000, interval: 5 })
    expect(result.value).toEqual(['a', 'b'])
  })

  it('never counts tabs that cannot be read as converged, even when they all fail alike', async () => {
    const clients = [fakeClient(0, 1), fakeClient(1, 1)]
    const failing = expectConverged(clients, () => Promise.reject(new Error('Target page, context or browser has been closed')), { timeout: 200, interval: 20 })
    await expect(failing).rejects.toBeInstanceOf(ConvergenceError)
  })

  it('names the divergent tab and the differing path when it times out', async () => {
    const clients = [fakeClient(0, 2), fakeClient(1, 1)]
    const error = await expectConverged(clients, async (page) => ({ cards: idOf(page) === '1/0' ? ['a'] : ['a', 'b'] }), { timeout: 100, interval: 20 }).catch((e: unknown) => e)
    expect(error).toBeInstanceOf(ConvergenceError)
    expect((error as Error).message).toContain('client 1 / tab 0 differ:')
    expect((error as Error).message).toContain('$.cards[1]: expected "b", got (missing)')
  })
})
