import { expectConverged, heal, partition, test } from '@driftless/testkit'
import { addCardByTyping, addCardSaved, attachScreenshot, expectExactly, openBoards, readDoc, uniqueDoc } from './board.js'

// Generous: page loads from the Vite dev server are slow on a busy 2-core machine.
test.describe.configure({ timeout: 120_000 })

test('status, pending and leader indicators follow the connection; screenshots saved', async ({ openClients }, testInfo) => {
  const clients = await openBoards(openClients, 2, uniqueDoc(testInfo), { tabs: 1 })
  const [device, other] = clients
  const page = device?.pages[0]
  const otherPage = other?.pages[0]
  if (!device || !other || !page || !otherPage) throw new Error('two devices expected')

  const status = page.getByTestId('status')
  const pending = page.getByTestId('pending')
  await test.expect(status).toHaveText('synced')
  await test.expect(status).toHaveAttribute('data-status', 'synced')
  await test.expect(pending).toHaveAttribute('data-pending', 'none')
  await test.expect(pending).toHaveAttribute('data-pending', 'none')
  await test.expect(page.getByTestId('leader')).toHaveAttribute('data-leader', 'true')
  await test.expect(page.getByTestId('presence')).toHaveAttribute('data-count', '1')
  await attachScreenshot(page, testInfo, 'synced')

  partition(device)
  await test.expect(status).toHaveText('offline')
  await addCardByTyping(page, 'written offline')
  await test.expect(pending).toHaveAttribute('data-pending', 'some')
  await test.expect(pending).toHaveAttribute('data-pending', 'some')
  await test.expect(page.getByTestId('card-text')).toHaveValue('written offline')
  await attachScreenshot(page, testInfo, 'offline-with-pending')

  heal(device)
  await test.expect(status).toHaveText('synced', { timeout: 15_000 })
  await test.expect(pending).toHaveAttribute('data-pending', 'none')
  await attachScreenshot(page, testInfo, 'healed')
})

test('the "work offline" switch cuts this tab from the relay while it keeps working locally', async ({ openClients }, testInfo) => {
  const clients = await openBoards(openClients, 2, uniqueDoc(testInfo), { tabs: 1 })
  const page = clients[0]?.pages[0]
  const otherPage = clients[1]?.pages[0]
  if (!page || !otherPage) throw new Error('two devices expected')

  await page.getByTestId('offline-toggle').check()
  await test.expect(page.getByTestId('status')).toHaveText('offline')
  await addCardSaved(page, 'kept local')
  await test.expect(page.getByTestId('pending')).toHaveAttribute('data-pending', 'some')
  await attachScreenshot(page, testInfo, 'work-offline')
  await addCardSaved(otherPage, 'from elsewhere')
  await otherPage.waitForTimeout(500)
  test.expect((await readDoc(otherPage)).todo).toEqual(['from elsewhere'])
  test.expect((await readDoc(page)).todo).toEqual(['kept local'])

  await page.getByTestId('offline-toggle').uncheck()
  const { value } = await expectConverged(clients, readDoc, { timeout: 15_000 })
  expectExactly(value, ['kept local', 'from elsewhere'])
  await test.expect(page.getByTestId('pending')).toHaveAttribute('data-pending', 'none')
})
