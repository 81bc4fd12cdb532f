import { expect, test, type Page } from '@playwright/test'

interface EventsPage {
  deviceId: string
  stream: string
  isLeader(): boolean
  emit(n: number): Promise<string>
  effects(): string[]
  settled(): Promise<void>
  retired(): string[]
  allStable(): boolean
  count(): number
}
declare global { interface Window { events: EventsPage } }

const open = async (page: Page, name: string): Promise<{ deviceId: string; stream: string }> => {
  await page.goto(`/?name=${name}`)
  await page.waitForSelector('body[data-ready="true"]', { state: 'attached' })
  return page.evaluate(() => ({ deviceId: window.events.deviceId, stream: window.events.stream }))
}

const effectsOf = (page: Page): Promise<string[]> => page.evaluate(() => window.events.effects())

test('handlers run exactly once per event across reloads (replica in IndexedDB, checkpoints in IndexedDB)', async ({ page }) => {
  const name = `reload-${Date.now()}`
  const first = await open(page, name)
  const ids = [await page.evaluate(() => window.events.emit(1)), await page.evaluate(() => window.events.emit(2))]
  const expected = (): string[] => ids.map((id) => `ping:${id}`)
  await expect.poll(() => effectsOf(page)).toEqual(expected())
  await page.evaluate(() => window.events.settled()) // checkpoint saved (a reload inside that window would run it again, by design)
  await page.reload()
  const second = await open(page, name)
  expect(second.deviceId).toBe(first.deviceId) // same replica: the earlier events are still its own
  expect(second.stream).not.toBe(first.stream) // a new stream per session
  await expect.poll(() => page.evaluate(() => window.events.count())).toBe(2)
  ids.push(await page.evaluate(() => window.events.emit(3)))
  await expect.poll(() => effectsOf(page)).toEqual(expected())
  await page.evaluate(() => window.events.settled())
  await page.reload()
  await open(page, name)
  await expect.poll(() => page.evaluate(() => window.events.count())).toBe(3)
  // Give a wrongly re-running handler the chance to show itself: wait for a later event to be handled.
  ids.push(await page.evaluate(() => window.events.emit(4)))
  await expect.poll(() => effectsOf(page)).toEqual(expected())
})

test('with two tabs, only the leader runs handlers, once per event, for both tabs\' events', async ({ context }) => {
  const name = `tabs-${Date.now()}`
  const one = await context.newPage()
  const two = await context.newPage()
  await open(one, name)
  await open(two, name)
  await expect.poll(async () => [await one.evaluate(() => window.events.isLeader()), await two.evaluate(() => window.events.isLeader())].sort())
    .toEqual([false, true])
  const ids = [await one.evaluate(() => window.events.emit(1)), await two.evaluate(() => window.events.emit(2)), await two.evaluate(() => window.events.emit(3))]
  await expect.poll(async () => (await effectsOf(one)).sort()).toEqual(ids.map((id) => `ping:${id}`).sort())
  expect(await two.evaluate(() => window.events.retired())).toEqual([]) // a live tab's stream is never retired
  // The follower tab holds every event too, and has run nothing.
  await expect.poll(() => two.evaluate(() => window.events.count())).toBe(3)
  await expect.poll(() => one.evaluate(() => window.events.count())).toBe(3)
  const leader = (await one.evaluate(() => window.events.isLeader())) ? one : two
  await leader.evaluate(() => window.events.settled())
  await leader.close()
  const survivor = leader === one ? two : one
  await expect.poll(() => survivor.evaluate(() => window.events.isLeader())).toBe(true)
  ids.push(await survivor.evaluate(() => window.events.emit(4)))
  // The new leader resumes from the shared checkpoint: the three earlier events are not run again.
  await expect.poll(async () => (await effectsOf(survivor)).sort()).toEqual(ids.map((id) => `ping:${id}`).sort())
})

test('a crashed tab\'s stream is retired by the next session on the device, so it stops holding the watermark', async ({ context }) => {
  const name = `crash-${Date.now()}`
  const crashed = await context.newPage()
  const { stream } = await open(crashed, name)
  await crashed.evaluate(() => window.events.emit(1))
  await crashed.close() // no log.close(): its stream stays open in the document, like a killed tab's
  const next = await context.newPage()
  await open(next, name)
  await expect.poll(() => next.evaluate(() => window.events.retired())).toEqual([stream])
  await next.evaluate(() => window.events.emit(2))
  // Without the retirement, the crashed stream (last entry at lamport 1) would keep event 2 tentative forever.
  expect(await next.evaluate(() => window.events.allStable())).toBe(true)
  expect(await next.evaluate(() => window.events.count())).toBe(2)
})
