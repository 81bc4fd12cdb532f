import type { Page } from '@playwright/test'
import { expectConverged, heal, partition, test } from '@driftless/testkit'
import { addCardSaved, attachScreenshot, moveRight, openBoards, readDoc, uniqueDoc } from './board.js'

// Generous: page loads from the Vite dev server are slow on a busy 2-core machine.
test.describe.configure({ timeout: 120_000 })

/** What every tab must agree on: the board and the refused moves it shows. */
const readBoardAndViolations = async (page: Page) => ({
  board: await readDoc(page),
  violations: await page.getByTestId('violation').allTextContents(),
})

test('the work-in-progress limit refuses the same concurrent move on every replica and shows it', async ({ openClients }, testInfo) => {
  const clients = await openBoards(openClients, 2, uniqueDoc(testInfo), { tabs: 1 })
  const [a, b] = clients.map((client) => client.pages[0])
  const [, deviceB] = clients
  if (!a || !b || !deviceB) throw new Error('two devices expected')

  for (const text of ['one', 'two', 'three', 'four']) await addCardSaved(a, text)
  await moveRight(a, 'one')
  await moveRight(a, 'two')
  await expectConverged(clients, readDoc)
  await test.expect(a.getByTestId('count-doing')).toHaveText('2 / 3')

  // Both devices take the last free place in "Doing", one of them while cut off.
  partition(deviceB)
  await test.expect(b.getByTestId('status')).toHaveText('offline')
  await moveRight(a, 'three')
  await moveRight(b, 'four')
  await test.expect(a.getByTestId('count-doing')).toHaveText('3 / 3')
  await test.expect(b.getByTestId('count-doing')).toHaveText('3 / 3')
  heal(deviceB)

  // The total order picks one winner; the other move is a no-op everywhere and is shown as refused.
  const { value } = await expectConverged(clients, readBoardAndViolations, { timeout: 20_000 })
  test.expect(value.board.doing).toHaveLength(3)
  test.expect(value.violations).toHaveLength(1)
  test.expect(value.violations[0]).toMatch(/“(three|four)” was not moved to Doing: its work-in-progress limit is 3/)
  await test.expect(a.getByTestId('count-doing')).toHaveText('3 / 3')
  await attachScreenshot(a, testInfo, 'wip-limit-refusal')

  // A move into the full column is refused at once, locally too.
  await addCardSaved(b, 'five')
  await moveRight(b, 'five')
  await test.expect(b.getByTestId('violation')).toHaveCount(2)
  test.expect((await readDoc(b)).doing).toHaveLength(3)
})
