import type { Page } from '@playwright/test'
import { expectConverged, heal, partition, test, type Client } from '@driftless/testkit'
import { addCardSaved, addCardTo, attachScreenshot, moveRight, openBoards, readDoc, readViolations, uniqueDoc } from './board.js'

// Generous: page loads from the Vite dev server are slow on a busy 2-core machine.
test.describe.configure({ timeout: 120_000 })

/** What every tab must agree on: the board and the refusals it shows. */
const readBoardAndViolations = async (page: Page) => ({ board: await readDoc(page), violations: await readViolations(page) })

const twoDevices = async (openClients: Parameters<typeof openBoards>[0], doc: string): Promise<[Client[], Page, Page]> => {
  const clients = await openBoards(openClients, 2, doc, { tabs: 1 })
  const [a, b] = clients.map((client) => client.pages[0])
  if (!a || !b) throw new Error('two devices expected')
  return [clients, a, b]
}

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
  test.expect(value.violations[0]).toMatch(/“(three|four)” was not moved to Doing: it is full \(work-in-progress limit 3\)/)
  await test.expect(a.getByTestId('count-doing')).toHaveText('3 / 3')
  await attachScreenshot(a, testInfo, 'wip-limit-refusal')

  // An arrow into the full column can do nothing, so it is disabled and says why.
  await addCardSaved(b, 'five')
  await test.expect(b.getByTestId('cards-todo').getByTestId('card-text').last()).toHaveValue('five')
  const arrow = b.getByTestId('cards-todo').getByTestId('card').last().getByTestId('move-right')
  await test.expect(arrow).toBeDisabled()
  await test.expect(arrow).toHaveAttribute('title', 'Doing is full (limit 3)')

  // A refusal can be dismissed on one device; the others still show it.
  await a.getByTestId('violation').getByTestId('dismiss').click()
  await test.expect(a.getByTestId('violation')).toHaveCount(0)
  await test.expect(b.getByTestId('violation')).toHaveCount(1)
})

for (const mode of ['both online', 'one offline'] as const) {
  test(`cards added into the last free place by two devices at once (${mode}): one is refused on every replica`, async ({ openClients }, testInfo) => {
    const [clients, a, b] = await twoDevices(openClients, uniqueDoc(testInfo))
    const deviceB = clients[1]!
    await addCardTo(a, 'doing', 'first')
    await addCardTo(a, 'doing', 'second')
    await expectConverged(clients, readDoc)
    await test.expect(b.getByTestId('count-doing')).toHaveText('2 / 3')

    if (mode === 'one offline') {
      partition(deviceB)
      await test.expect(b.getByTestId('status')).toHaveText('offline')
    }
    await Promise.all([addCardTo(a, 'doing', 'from A'), addCardTo(b, 'doing', 'from B')])
    if (mode === 'one offline') {
      // Apart, each device sees its own card take the last place.
      await test.expect(a.getByTestId('count-doing')).toHaveText('3 / 3')
      await test.expect(b.getByTestId('count-doing')).toHaveText('3 / 3')
      heal(deviceB)
    }

    const { value } = await expectConverged(clients, readBoardAndViolations, { timeout: 20_000 })
    test.expect(value.board.doing).toHaveLength(3)
    test.expect(value.board.doing!.slice(0, 2)).toEqual(['first', 'second'])
    test.expect(value.violations).toHaveLength(1)
    test.expect(value.violations[0]).toMatch(/“from (A|B)” was not added to Doing: it is full \(work-in-progress limit 3\)/)
    const refused = value.violations[0]!.includes('from A') ? 'from A' : 'from B'
    test.expect(value.board.doing).not.toContain(refused)
    for (const page of [a, b]) await test.expect(page.getByTestId('count-doing')).toHaveText('3 / 3')
    if (mode === 'one offline') await attachScreenshot(b, testInfo, 'wip-limit-add-refused')
  })
}
