import type { Page } from '@playwright/test'
import { expectConverged, test } from '@driftless/testkit'
import { addCardByTyping, expectExactly, openBoards, readDoc, uniqueDoc } from './board.js'

// Generous: page loads from the Vite dev server are slow on a busy 2-core machine.
test.describe.configure({ timeout: 120_000 })

async function leaders(pages: readonly Page[]): Promise<Page[]> {
  const flags = await Promise.all(pages.map(async (page) => (await page.getByTestId('leader').getAttribute('data-leader')) === 'true'))
  return pages.filter((_, index) => flags[index])
}

test('closing the leader tab hands the socket to another tab; edits keep flowing', async ({ openClients }, testInfo) => {
  const clients = await openBoards(openClients, 2, uniqueDoc(testInfo), { tabs: 1 })
  const [device, observer] = clients
  if (!device || !observer) throw new Error('two devices expected')
  await device.openTab()
  await device.openTab()

  await test.expect.poll(async () => (await leaders(device.pages)).length).toBe(1)
  const [leader] = await leaders(device.pages)
  if (!leader) throw new Error('no leader')
  const follower = device.pages.find((page) => page !== leader)
  if (!follower) throw new Error('no follower')
  await test.expect(follower.getByTestId('leader')).toHaveAttribute('data-leader', 'false')

  await addCardByTyping(follower, 'through the first leader')
  await expectConverged(clients, readDoc)

  await device.closeTab(leader)
  await test.expect.poll(async () => (await leaders(device.pages)).length, { timeout: 15_000 }).toBe(1)
  const [successor] = await leaders(device.pages)
  if (!successor) throw new Error('no successor')

  for (const page of device.pages) await addCardByTyping(page, `after handover from ${device.tabName(page)}`)
  await addCardByTyping(observer.pages[0] ?? successor, 'from the observer')
  const { value } = await expectConverged(clients, readDoc, { timeout: 15_000 })
  expectExactly(value, [
    'through the first leader',
    ...device.pages.map((page) => `after handover from ${device.tabName(page)}`),
    'from the observer',
  ])
  await test.expect(successor.getByTestId('status')).toHaveText('synced')
})
