import { expect, test } from '@driftless/testkit'
import { editorReady, editorUrl, saveState, startParagraph, typeInParagraph, uniqueDoc } from './editor.js'

test.describe.configure({ timeout: 180_000 })

test('every document of the list is its own replica, and all of them sync over the tab\'s one socket', async ({ openClients }, testInfo) => {
  const doc = uniqueDoc(testInfo)
  const [device] = await openClients(1, { url: editorUrl, query: { doc }, ready: editorReady, tabs: 0 })
  if (!device) throw new Error('one device expected')
  const page = await device.context.newPage()
  // Sockets to this device's relay address only: the dev server's own socket is not the replicas'.
  const relaySockets: string[] = []
  page.on('websocket', (socket) => { if (socket.url().startsWith(device.relayUrl)) relaySockets.push(socket.url()) })
  device.pages.push(page)
  await page.goto(device.appUrl)
  await editorReady(page)

  // Two more documents, each written to: with the index, at least four replicas are open in the tab.
  for (const marker of ['[second]', '[third]']) {
    await page.getByTestId('new-document').click()
    await editorReady(page)
    await startParagraph(page, marker)
    await typeInParagraph(page, marker, ' written.')
    await expect(saveState(page)).toHaveText('Saved on the server')
  }
  const links = page.getByTestId('document-link')
  await expect.poll(() => links.count()).toBeGreaterThanOrEqual(3)
  for (const link of await links.all()) await expect(link.getByTestId('save-state')).toContainText('Saved on the server')
  expect(relaySockets).toHaveLength(1)
})
