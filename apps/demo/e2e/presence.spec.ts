import { heal, partition, test } from '@driftless/testkit'
import { boardReady, openBoards, uniqueDoc } from './board.js'

// Generous: page loads from the Vite dev server are slow on a busy 2-core machine.
test.describe.configure({ timeout: 120_000 })

// Awareness forgets a silent peer only after 30 s; these bounds are far below that, so passing means the page
// withdrew or cleared presence itself rather than waiting for the timeout.
const PROMPTLY = { timeout: 5_000 }

test('a closed tab leaves "Also here" at once; an offline tab stops showing frozen peers', async ({ openClients }, testInfo) => {
  const clients = await openBoards(openClients, 3, uniqueDoc(testInfo), { tabs: 1 })
  const [a, b, c] = clients.map((client) => client.pages[0])
  if (!a || !b || !c || !clients[0]) throw new Error('three devices expected')
  const presence = a.getByTestId('presence')
  await test.expect(presence).toHaveAttribute('data-count', '2')

  await c.close()
  await test.expect(presence).toHaveAttribute('data-count', '1', PROMPTLY)
  await test.expect(b.getByTestId('presence')).toHaveAttribute('data-count', '1', PROMPTLY)

  partition(clients[0])
  await test.expect(a.getByTestId('status')).toHaveText('offline')
  await test.expect(presence).toHaveAttribute('data-count', '0', PROMPTLY)
  await test.expect(presence).toContainText('unknown while offline')
  await test.expect(b.getByTestId('presence')).toHaveAttribute('data-count', '0', PROMPTLY)

  heal(clients[0])
  await test.expect(a.getByTestId('status')).toHaveText('synced', { timeout: 15_000 })
  await test.expect(presence).toHaveAttribute('data-count', '1', PROMPTLY)
  await test.expect(b.getByTestId('presence')).toHaveAttribute('data-count', '1', PROMPTLY)
})

test('a device keeps its name across reloads and tabs', async ({ openClients }, testInfo) => {
  const [device] = await openBoards(openClients, 1, uniqueDoc(testInfo), { tabs: 1 })
  const page = device?.pages[0]
  if (!device || !page) throw new Error('one device expected')
  const name = await page.getByTestId('me').textContent()
  test.expect(name).toMatch(/^[A-Z][a-z]+ \d\d$/)
  await page.reload()
  await boardReady(page)
  await test.expect(page.getByTestId('me')).toHaveText(name!)
  const second = await device.openTab()
  await test.expect(second.getByTestId('me')).toHaveText(name!)
})
