import { expect, expectConverged, heal, partition, test } from '@driftless/testkit'
import type { Page } from '@playwright/test'

const pageUrl = process.env.DRIFTLESS_E2E_REACT_URL ?? 'http://127.0.0.1:5175/'
test.describe.configure({ timeout: 120_000 })

const notes = (page: Page): Promise<string[]> => page.getByTestId('notes').locator('li').allTextContents()
const addNote = async (page: Page, text: string): Promise<void> => {
  await page.getByTestId('draft').fill(text)
  await page.getByTestId('draft').press('Enter')
}

test('server-rendered markup hydrates without mismatch, then opens the replica; two devices sync across a cut (StrictMode)', async ({ openClients, request }, testInfo) => {
  const doc = `hydrate-${testInfo.workerIndex}-${Date.now().toString(36)}`
  const served = await (await request.get(`${pageUrl}?doc=${doc}`)).text()
  expect(served).toContain('<p data-testid="indicators">offline pending=0 synced=false loaded=false</p>')

  const consoleErrors: string[] = []
  const [a, b] = await openClients(2, {
    url: pageUrl,
    query: { doc },
    ready: async (page) => {
      // Failed reconnects during the cut are logged by Chromium itself; anything else (a hydration mismatch) is a failure.
      page.on('console', (message) => {
        if (message.type() === 'error' && !message.text().startsWith('WebSocket connection to')) consoleErrors.push(message.text())
      })
      page.on('pageerror', (error) => consoleErrors.push(error.message))
      await expect(page.getByTestId('indicators')).toHaveText('synced pending=0 synced=true loaded=true')
    },
  })
  const [pageA, pageB] = [a?.pages[0], b?.pages[0]]
  if (!a || !b || !pageA || !pageB) throw new Error('two devices expected')

  await addNote(pageA, 'from a, online')
  await expect(pageB.getByTestId('notes')).toContainText('from a, online')

  partition(b)
  await addNote(pageB, 'from b, cut off')
  await addNote(pageA, 'from a, meanwhile')
  await expect(pageB.getByTestId('indicators')).toHaveText(/^offline pending=[1-9]\d* synced=false loaded=true$/)

  heal(b)
  const { value } = await expectConverged([a, b], notes, { timeout: 20_000 })
  expect([...value].sort()).toEqual(['from a, meanwhile', 'from a, online', 'from b, cut off'])
  await expect(pageB.getByTestId('indicators')).toHaveText('synced pending=0 synced=true loaded=true')
  expect(consoleErrors).toEqual([])
})
