import { expectConverged, heal, partition, test } from '@driftless/testkit'
import { addCardSaved, allTexts, openBoards, readDoc, uniqueDoc, waitSynced } from './board.js'

// Generous: page loads from the Vite dev server are slow on a busy 2-core machine.
test.describe.configure({ timeout: 120_000 })

test('relay SIGKILLed during edits and restarted: clients converge and no acknowledged edit is lost', async ({ openClients, relay }, testInfo) => {
  const doc = uniqueDoc(testInfo)
  const clients = await openBoards(openClients, 3, doc, { tabs: 1 })
  const [lostDevice, survivorDevice, observerDevice] = clients
  const [lost, survivor] = clients.map((client) => client.pages[0])
  if (!lostDevice || !survivorDevice || !observerDevice || !lost || !survivor) throw new Error('three devices expected')

  const acked: string[] = []
  for (let i = 0; i < 5; i++) {
    await addCardSaved(lost, `acked ${i}`)
    await addCardSaved(survivor, `survivor acked ${i}`)
    acked.push(`acked ${i}`, `survivor acked ${i}`)
  }
  // Acknowledged = committed by the relay: whenSynced resolves on the relay's durable ack, and pending is 0.
  await Promise.all([waitSynced(lost), waitSynced(survivor)])
  await test.expect(lost.getByTestId('pending')).toHaveAttribute('data-pending', 'none')
  await test.expect(survivor.getByTestId('pending')).toHaveAttribute('data-pending', 'none')

  // More edits race the kill: not awaited for any ack.
  const racing = Array.from({ length: 5 }, (_, i) => `racing ${i}`)
  const burst = Promise.all(racing.map((text) => addCardSaved(survivor, text)))
  await relay.kill()
  await burst
  await test.expect(survivor.getByTestId('status')).not.toHaveText('synced')

  // The device that wrote half the acked edits is gone with its storage; the other two cannot reach the relay.
  // After the restart, a new device can only learn the acked edits from what the relay committed to disk.
  await lostDevice.context.close()
  partition(survivorDevice)
  partition(observerDevice)
  await relay.restart()
  const [fresh] = await openBoards(openClients, 1, doc, { tabs: 1 })
  const freshTab = fresh?.pages[0]
  if (!fresh || !freshTab) throw new Error('fresh device expected')
  await test.expect
    .poll(async () => {
      const seen = allTexts(await readDoc(freshTab))
      return acked.filter((text) => !seen.includes(text))
    }, { timeout: 15_000 })
    .toEqual([])

  heal(survivorDevice)
  heal(observerDevice)
  const everyone = [survivorDevice, observerDevice, fresh]
  const { value, elapsedMs } = await expectConverged(everyone, readDoc, { timeout: 20_000 })
  console.log(`relay kill: converged ${elapsedMs} ms after the heal that followed the restart`)
  const finalTexts = allTexts(value)
  for (const text of [...acked, ...racing]) test.expect(finalTexts).toContain(text)
  test.expect(finalTexts).toHaveLength(acked.length + racing.length)
})
