import { expectConverged, heal, partition, test } from '@driftless/testkit'
import { addCardSaved, expectExactly, openBoards, readDoc, readDom, uniqueDoc } from './board.js'

test('every tab reloaded mid-session restores from IndexedDB, and edits pending at reload are still delivered', async ({ openClients }, testInfo) => {
  const clients = await openBoards(openClients, 2, uniqueDoc(testInfo), { tabs: 2 })
  const [device, other] = clients
  const tab = device?.pages[0]
  const otherTab = other?.pages[0]
  if (!device || !other || !tab || !otherTab) throw new Error('two devices expected')

  await addCardSaved(tab, 'synced before reload')
  await addCardSaved(otherTab, 'from the other device')
  await expectConverged(clients, readDoc)

  // Pending at reload: made while cut from the relay, so only IndexedDB has them.
  partition(device)
  await test.expect(tab.getByTestId('status')).toHaveText('offline')
  await addCardSaved(tab, 'pending 1')
  await addCardSaved(device.pages[1] ?? tab, 'pending 2')
  await test.expect(tab.getByTestId('pending')).not.toHaveText('0')

  for (const client of clients) await client.reload()

  // Still cut: what the reloaded tabs show can only come from IndexedDB.
  const expected = ['synced before reload', 'from the other device', 'pending 1', 'pending 2']
  const { value } = await expectConverged([device], readDoc)
  expectExactly(value, expected)
  await test.expect(tab.getByTestId('pending')).not.toHaveText('0')

  heal(device)
  const converged = await expectConverged(clients, readDoc, { timeout: 15_000 })
  expectExactly(converged.value, expected)
  await expectConverged(clients, readDom)
  await test.expect(tab.getByTestId('pending')).toHaveText('0')
})
