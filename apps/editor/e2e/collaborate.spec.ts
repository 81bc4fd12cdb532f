import { expect, expectConverged, heal, partition, test } from '@driftless/testkit'
import { editorReady, openEditors, readBody, readScreen, saveState, startParagraph, typeInParagraph, uniqueDoc } from './editor.js'

// Generous: page loads from the Vite dev server are slow on a busy 2-core machine.
test.describe.configure({ timeout: 180_000 })

test('two devices (one with two tabs) type concurrently, one is cut off and reloads offline, and after the heal all hold every fragment', async ({ openClients }, testInfo) => {
  const doc = uniqueDoc(testInfo)
  const [ada, bob] = await openEditors(openClients, ['Ada', 'Bob'], doc)
  if (!ada || !bob) throw new Error('two devices expected')
  const adaTab2 = await ada.openTab()
  const [adaTab1] = ada.pages
  const [bobTab] = bob.pages
  if (!adaTab1 || !bobTab) throw new Error('tabs expected')
  const typists = [
    { page: adaTab1, marker: '[ada-1]' },
    { page: adaTab2, marker: '[ada-2]' },
    { page: bobTab, marker: '[bob]' },
  ]
  const typed: string[] = []
  const typeEverywhere = async (round: string, who = typists): Promise<void> => {
    await Promise.all(who.map(async ({ page, marker }) => {
      const fragment = `${marker.slice(1, -1)}-${round}.`
      typed.push(fragment)
      await typeInParagraph(page, marker, ` ${fragment}`)
    }))
  }

  // Each writer gets a paragraph of its own, one after the other, then everyone types at once.
  for (const { page, marker } of typists) {
    await startParagraph(page, marker)
    await expect(saveState(page)).toHaveText('Saved on the server')
    for (const other of typists) await expect(other.page.getByTestId('editor')).toContainText(marker)
  }
  await typeEverywhere('online')
  await Promise.all(typists.map(({ page }) => expect(saveState(page)).toHaveText('Saved on the server')))

  // The other person's caret, with their name, is on screen.
  await expect(adaTab1.locator('.collaboration-carets__label', { hasText: 'Bob' })).toBeVisible()
  await expect(bobTab.locator('.collaboration-carets__label', { hasText: 'Ada' }).first()).toBeVisible()

  // Bob's device loses the network (a real cut at the TCP proxy); everyone keeps typing.
  partition(bob)
  await typeEverywhere('cut')
  await expect(saveState(bobTab)).toHaveText(/^Offline – \d+ changes? waiting$/)

  // Bob reloads while still offline: his text is still there, and he goes on typing.
  await bob.reload(bobTab)
  await editorReady(bobTab)
  for (const fragment of typed.filter((text) => text.startsWith('bob-'))) await expect(bobTab.getByTestId('editor')).toContainText(fragment)
  await expect(saveState(bobTab)).toHaveText(/^Offline – \d+ changes? waiting$/)
  await typeEverywhere('after-reload', typists.filter(({ page }) => page === bobTab))
  await typeEverywhere('still-cut', typists.filter(({ page }) => page !== bobTab))

  heal(bob)
  const { value } = await expectConverged([ada, bob], readBody, { timeout: 30_000 })
  for (const fragment of typed) expect(value).toContain(fragment)
  const screens = await Promise.all([adaTab1, adaTab2, bobTab].map(readScreen))
  expect(screens[1]).toEqual(screens[0])
  expect(screens[2]).toEqual(screens[0])
  await Promise.all(typists.map(({ page }) => expect(saveState(page)).toHaveText('Saved on the server')))
})

test('the work-offline switch keeps changes waiting on this device and sends them when switched back', async ({ openClients }, testInfo) => {
  const doc = uniqueDoc(testInfo)
  const [ada, bob] = await openEditors(openClients, ['Ada', 'Bob'], doc)
  const adaTab = ada?.pages[0]
  const bobTab = bob?.pages[0]
  if (!adaTab || !bobTab) throw new Error('two devices expected')
  await startParagraph(adaTab, '[ada]')
  await expect(saveState(adaTab)).toHaveText('Saved on the server')

  await adaTab.getByTestId('offline-toggle').check()
  await typeInParagraph(adaTab, '[ada]', ' written while working offline')
  await expect(saveState(adaTab)).toHaveText(/^Offline – \d+ changes? waiting$/)
  await expect(bobTab.getByTestId('editor')).not.toContainText('written while working offline')

  await adaTab.getByTestId('offline-toggle').uncheck()
  await expect(saveState(adaTab)).toHaveText('Saved on the server')
  await expect(bobTab.getByTestId('editor')).toContainText('written while working offline')
})
