// Regenerates docs/*.png: two people in one document, at desktop width and at a 390 px phone width.
// Run: npm run screenshots -w @driftless/editor   (uses $DRIFTLESS_CHROMIUM or /usr/bin/chromium)
import { chromium, type Page } from '@playwright/test'
import { startRelay } from '@driftless/testkit'
import { fileURLToPath } from 'node:url'
import { createServer } from 'vite'

const docs = fileURLToPath(new URL('../docs/', import.meta.url))
const relay = await startRelay()
const vite = await createServer({ configFile: fileURLToPath(new URL('../vite.config.ts', import.meta.url)), server: { port: 0 }, logLevel: 'error' })
await vite.listen()
const base = vite.resolvedUrls?.local[0] ?? 'http://127.0.0.1:5174/'
const browser = await chromium.launch({ executablePath: process.env.DRIFTLESS_CHROMIUM ?? '/usr/bin/chromium', args: ['--no-sandbox'] })

const open = async (user: string, width: number, height: number, doc?: string): Promise<Page> => {
  const context = await browser.newContext({ viewport: { width, height }, deviceScaleFactor: 1 })
  const page = await context.newPage()
  const query = new URLSearchParams({ relay: relay.url, user, ...(doc ? { doc } : {}) })
  await page.goto(`${base}?${query}`)
  return page
}
const typeInto = async (page: Page, text: string): Promise<void> => {
  await page.getByTestId('editor').click()
  await page.keyboard.press('Control+End')
  await page.keyboard.type(text)
}

try {
  const welcome = await open('Ada', 1280, 800)
  await welcome.getByTestId('welcome').waitFor()
  await welcome.screenshot({ path: `${docs}welcome-desktop.png` })

  const ada = await open('Ada', 1280, 800, 'trip-notes')
  const grace = await open('Grace', 390, 844, 'trip-notes')
  await ada.getByTestId('title').fill('Trip notes')
  await typeInto(ada, 'Day one: the train leaves at 8:40. Bring the maps.')
  await typeInto(grace, ' I booked the hostel for two nights.')
  await ada.getByTestId('editor').locator('p').first().click()
  for (const page of [ada, grace]) await page.getByText('Saved on the server').first().waitFor()
  await ada.locator('.collaboration-carets__label', { hasText: 'Grace' }).waitFor()
  await grace.locator('.collaboration-carets__label', { hasText: 'Ada' }).waitFor()
  await ada.screenshot({ path: `${docs}editor-desktop.png` })
  await grace.screenshot({ path: `${docs}editor-phone.png` })

  await grace.getByTestId('offline-toggle').check()
  await typeInto(grace, ' Written on the way, offline.')
  await grace.getByText(/Offline – \d+ changes? waiting/).first().waitFor()
  await grace.screenshot({ path: `${docs}offline-phone.png` })
} finally {
  await browser.close()
  await vite.close()
  await relay.dispose()
}
