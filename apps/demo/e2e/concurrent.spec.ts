import { expectConverged, test } from '@driftless/testkit'
import { addCardByTyping, expectExactly, openBoards, readDoc, readDom, uniqueDoc } from './board.js'

// Generous: page loads from the Vite dev server are slow on a busy 2-core machine.
test.describe.configure({ timeout: 120_000 })

test('3 devices × 2 tabs edit at once and converge, in the documents and on screen', async ({ openClients }, testInfo) => {
  const clients = await openBoards(openClients, 3, uniqueDoc(testInfo), { tabs: 2 })
  const tabs = clients.flatMap((client) => client.pages.map((page) => ({ page, name: client.tabName(page) })))

  const written: string[] = []
  // Every tab types two cards at the same time as the others.
  await Promise.all(
    tabs.map(async ({ page, name }) => {
      for (let i = 0; i < 2; i++) {
        const text = `${name} #${i}`
        written.push(text)
        await addCardByTyping(page, text)
      }
    }),
  )

  const { value } = await expectConverged(clients, readDoc, { timeout: 15_000 })
  expectExactly(value, written)
  const { value: onScreen } = await expectConverged(clients, readDom, { timeout: 10_000 })
  test.expect(onScreen).toEqual(value)
})

test('concurrent typing at the end of one card keeps every device\'s word whole', async ({ openClients }, testInfo) => {
  const clients = await openBoards(openClients, 3, uniqueDoc(testInfo), { tabs: 1 })
  const first = clients[0]?.pages[0]
  if (!first) throw new Error('no tab')
  await addCardByTyping(first, 'shared')
  await expectConverged(clients, readDoc)

  await Promise.all(
    clients.map(async (client, index) => {
      const page = client.pages[0]
      if (!page) return
      const field = page.getByTestId('card-text').first()
      await field.click()
      await field.press('End')
      await field.pressSequentially(` d${index}`)
    }),
  )
  const { value } = await expectConverged(clients, readDom, { timeout: 10_000 })
  const text = value.todo?.[0] ?? ''
  for (const index of [0, 1, 2]) test.expect(text).toContain(` d${index}`)
  test.expect(text.startsWith('shared')).toBe(true)
})
