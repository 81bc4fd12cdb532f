import { expectConverged, heal, partition, test } from '@driftless/testkit'
import { addCardSaved, expectExactly, openBoards, readDoc, readDom, uniqueDoc } from './board.js'

// Generous: page loads from the Vite dev server are slow on a busy 2-core machine.
test.describe.configure({ timeout: 120_000 })

test('every tab reloaded mid-session restores from IndexedDB, and edits pending at reload are still delivered', async ({ openClients }, testInfo) => {
  const clients = await openBoards(openClients, 2, uniqueDoc(testInfo), { tabs: 2 })
  const [device, other] = clients
  const tab = device?.pages[0]
  const otherTab = other?.pages[0]
  if (!device || !other || !tab || !otherTab) throw new Error('two devices expected')

  await test.step('both devices sync two cards', async () => {
    await addCardSaved(tab, 'synced before reload')
    await addCardSaved(otherTab, 'from the other device')
    await expectConverged(clients, readDoc)
  })

  await test.step('a cut device writes two cards (pending: only IndexedDB has them)', async () => {
    partition(device)
    await test.expect(tab.getByTestId('status')).toHaveText('offline')
    await addCardSaved(tab, 'pending 1')
    await addCardSaved(device.pages[1] ?? tab, 'pending 2')
    await test.expect(tab.getByTestId('pending')).toHaveAttribute('data-pending', 'some')
  })

  await test.step('every tab of both devices reloads', async () => {
    for (const client of clients) await client.reload()
  })

  const expected = ['synced before reload', 'from the other device', 'pending 1', 'pending 2']
  await test.step('the still-cut device shows everything, from IndexedDB alone, still pending', async () => {
    const { value } = await expectConverged([device], readDoc)
    expectExactly(value, expected)
    await test.expect(tab.getByTestId('pending')).toHaveAttribute('data-pending', 'some')
  })

  await test.step('after heal the pending cards reach the other device', async () => {
    heal(device)
    const converged = await expectConverged(clients, readDoc, { timeout: 15_000 })
    expectExactly(converged.value, expected)
    await expectConverged(clients, readDom)
    await test.expect(tab.getByTestId('pending')).toHaveAttribute('data-pending', 'none')
  })
})
