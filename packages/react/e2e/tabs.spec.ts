import { expect, test } from '@driftless/testkit'
import type { Page } from '@playwright/test'

const pageUrl = process.env.DRIFTLESS_E2E_REACT_URL ?? 'http://127.0.0.1:5175/'
test.describe.configure({ timeout: 120_000 })

const role = (page: Page) => page.getByTestId('tab-role')

test('useLeader: of two tabs exactly one leads and holds the socket; closing it hands both over to the other (StrictMode)', async ({ openClients }, testInfo) => {
  const doc = `tabs-${testInfo.workerIndex}-${Date.now().toString(36)}`
  const [device] = await openClients(1, {
    url: pageUrl,
    query: { doc },
    ready: (page) => expect(page.getByTestId('indicators')).toHaveText('synced pending=0 synced=true loaded=true'),
  })
  if (!device) throw new Error('one device expected')
  // Sockets to this device's relay address only: the dev server's own socket is not the replica's.
  const relaySockets = new Map<Page, number>()
  const countSockets = (page: Page) => {
    relaySockets.set(page, 0)
    page.on('websocket', (socket) => {
      if (socket.url().startsWith(device.relayUrl)) relaySockets.set(page, (relaySockets.get(page) ?? 0) + 1)
    })
  }
  const [first] = device.pages
  if (!first) throw new Error('a tab expected')
  await expect(role(first)).toHaveText('leader')

  const second = await device.context.newPage()
  countSockets(second)
  device.pages.push(second)
  await second.goto(device.appUrl)
  await expect(second.getByTestId('indicators')).toHaveText('synced pending=0 synced=true loaded=true')
  await expect(role(second)).toHaveText('follower')
  await expect(role(first)).toHaveText('leader')

  // The follower writes through the leader's socket; it opened none of its own.
  await second.getByTestId('draft').fill('from the follower')
  await second.getByTestId('draft').press('Enter')
  await expect(first.getByTestId('notes')).toContainText('from the follower')
  await expect(second.getByTestId('indicators')).toHaveText('synced pending=0 synced=true loaded=true')
  expect(relaySockets.get(second)).toBe(0)

  await device.closeTab(first)
  await expect(role(second)).toHaveText('leader')
  await expect(second.getByTestId('indicators')).toHaveText('synced pending=0 synced=true loaded=true')
  expect(relaySockets.get(second)).toBe(1)
})
