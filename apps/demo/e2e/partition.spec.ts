import { expectConverged, heal, partition, test } from '@driftless/testkit'
import { addCardByTyping, allTexts, attachScreenshot, expectExactly, openBoards, readDoc, readDom, uniqueDoc } from './board.js'

// Generous: page loads from the Vite dev server are slow on a busy 2-core machine.
test.describe.configure({ timeout: 120_000 })

test('2 of 3 devices partitioned edit offline; after heal nothing is lost or duplicated', async ({ openClients }, testInfo) => {
  const clients = await openBoards(openClients, 3, uniqueDoc(testInfo), { tabs: 1 })
  const [online, cutA, cutB] = clients
  if (!online || !cutA || !cutB) throw new Error('three devices expected')
  const page = (index: number) => {
    const tab = clients[index]?.pages[0]
    if (!tab) throw new Error(`no tab on client ${index}`)
    return tab
  }
  const written: string[] = []
  const write = async (index: number, text: string) => {
    written.push(text)
    await addCardByTyping(page(index), text)
  }

  await write(0, 'before partition')
  await expectConverged(clients, readDoc)

  partition(cutA)
  partition(cutB)
  await test.expect(page(1).getByTestId('status')).toHaveText('offline')
  await test.expect(page(2).getByTestId('status')).toHaveText('offline')
  for (let i = 0; i < 3; i++) {
    await write(0, `online ${i}`)
    await write(1, `offline A ${i}`)
    await write(2, `offline B ${i}`)
  }
  await test.expect(page(1).getByTestId('pending')).toHaveAttribute('data-pending', 'some')
  await attachScreenshot(page(1), testInfo, 'partitioned-device')

  // The cut is real: after the online device has everything it wrote, the cut ones still lack it and vice versa.
  await test.expect.poll(async () => allTexts(await readDoc(page(0))).length).toBe(4)
  await page(0).waitForTimeout(500)
  test.expect(allTexts(await readDoc(page(0))).some((text) => text.startsWith('offline'))).toBe(false)
  test.expect(allTexts(await readDoc(page(1))).some((text) => text.startsWith('online') || text.includes(' B '))).toBe(false)

  heal(cutA)
  heal(cutB)
  const { value, elapsedMs } = await expectConverged(clients, readDoc, { timeout: 15_000, interval: 50 })
  console.log(`partition: 3 devices converged ${elapsedMs} ms after the heal`)
  testInfo.annotations.push({ type: 'converge-ms', description: String(elapsedMs) })
  expectExactly(value, written)
  const { value: onScreen } = await expectConverged(clients, readDom)
  test.expect(onScreen).toEqual(value)
  await test.expect(page(1).getByTestId('pending')).toHaveAttribute('data-pending', 'none')
})
