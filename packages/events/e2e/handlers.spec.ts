import { expect, test, type Page } from '@playwright/test'

interface EventsPage {
  deviceId: string
  stream: string
  emit(n: number): Promise<string>
  handled(): Promise<string[]>
}
declare global { interface Window { events: EventsPage } }

const open = async (page: Page, name: string): Promise<{ deviceId: string; stream: string }> => {
  await page.goto(`/?name=${name}`)
  await page.waitForSelector('body[data-ready="true"]', { state: 'attached' })
  return page.evaluate(() => ({ deviceId: window.events.deviceId, stream: window.events.stream }))
}

test('handlers run exactly once per event across reloads (IndexedDB checkpoints in Chromium)', async ({ page }) => {
  const name = `reload-${Date.now()}`
  const first = await open(page, name)
  const ids = [await page.evaluate(() => window.events.emit(1)), await page.evaluate(() => window.events.emit(2))]
  expect(await page.evaluate(() => window.events.handled())).toEqual(ids.map((id) => `ping:${id}`))

  await page.reload()
  const second = await open(page, name)
  expect(second.deviceId).toBe(first.deviceId) // same replica: the earlier events are still its own
  expect(second.stream).not.toBe(first.stream) // a new stream per session
  expect(await page.evaluate(() => window.events.handled())).toEqual(ids.map((id) => `ping:${id}`))

  ids.push(await page.evaluate(() => window.events.emit(3)))
  await page.reload()
  await open(page, name)
  const effects = await page.evaluate(() => window.events.handled())
  expect(effects).toEqual(ids.map((id) => `ping:${id}`))
  expect(new Set(effects).size).toBe(3)
})
