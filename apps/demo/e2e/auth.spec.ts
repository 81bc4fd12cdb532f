import { test } from '@driftless/testkit'
import { openBoards, uniqueDoc } from './board.js'

// Generous: page loads from the Vite dev server are slow on a busy 2-core machine.
test.describe.configure({ timeout: 120_000 })

// A relay that requires tokens, and a page served without the token endpoint `npm start` adds.
test.use({ relayOptions: { env: { DRIFTLESS_AUTH_SECRET: 'e2e-secret' } } })

test('without a valid token the page says so in words, keeps edits, and the message can be dismissed', async ({ openClients }, testInfo) => {
  const [device] = await openBoards(openClients, 1, uniqueDoc(testInfo), { tabs: 1 })
  const page = device?.pages[0]
  if (!page) throw new Error('one device expected')
  const banner = page.getByTestId('error-banner')
  await test.expect(banner).toHaveCount(1)
  await test.expect(banner).toContainText('did not accept this page\'s access (unauthorized)')
  await test.expect(banner).toContainText('Your changes are kept on this device')
  await test.expect(page.getByTestId('status')).not.toHaveText('synced')
  await banner.getByTestId('dismiss').click()
  await test.expect(banner).toHaveCount(0)
})
