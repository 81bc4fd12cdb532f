import { expect, type Page } from '@playwright/test'
import {
  HARNESS, call, edit, eventually, openIn, openPage, prop, readFromRelay, textOf, uniquePrefix, test,
} from './fixtures.js'

/** Collects the page's unhandled rejections itself too (not only through Playwright's `pageerror`). */
const watchRejections = (page: Page): Promise<void> =>
  page.evaluate(() => {
    const w = window as unknown as { rejections: string[] }
    w.rejections = []
    window.addEventListener('unhandledrejection', (event) => { w.rejections.push(String(event.reason)) })
  })

const rejections = (page: Page): Promise<string[]> =>
  page.evaluate(() => (window as unknown as { rejections: string[] }).rejections)

/**
 * Makes the page behave as the next release of the app, whose schema is one version newer: every
 * `indexedDB.open(name, v)` asks for `v + 1` (the upgrade from today's schema adds nothing).
 */
const runNextRelease = (page: Page): Promise<void> =>
  page.evaluate(() => {
    const open = IDBFactory.prototype.open
    IDBFactory.prototype.open = function (name: string, version?: number) {
      return open.call(this, name, version === undefined ? undefined : version + 1)
    }
  })

/**
 * Makes `page` an old tab of today's release: it creates the database at today's schema and holds a
 * connection without a `versionchange` handler, so it never lets an upgrade through. Returns the version.
 */
const holdOpen = (page: Page, name: string): Promise<number> =>
  page.evaluate(async (name) => {
    const storage = window.driftless.createIndexedDbStorage({ name })
    await storage.load('anything')
    await storage.close()
    const db = await new Promise<IDBDatabase>((resolve, reject) => {
      const request = indexedDB.open(name)
      request.onsuccess = () => resolve(request.result)
      request.onerror = () => reject(request.error ?? new Error('open failed'))
    })
    ;(window as unknown as { oldConnection: IDBDatabase }).oldConnection = db
    return db.version
  }, name)

const letGo = (page: Page): Promise<void> =>
  page.evaluate(() => (window as unknown as { oldConnection: IDBDatabase }).oldConnection.close())

/** The database's version and the text of `docId` stored in it, read directly (without a replica). */
const readStored = (page: Page, name: string, docId: string): Promise<{ version: number; text: string }> =>
  page.evaluate(async ([name, docId]) => {
    const db = await new Promise<IDBDatabase>((resolve, reject) => {
      const request = indexedDB.open(name)
      request.onsuccess = () => resolve(request.result)
      request.onerror = () => reject(request.error ?? new Error('open failed'))
    })
    try {
      const rows = await new Promise<Array<{ update: Uint8Array }>>((resolve, reject) => {
        const request = db.transaction('updates').objectStore('updates').index('docId').getAll(docId)
        request.onsuccess = () => resolve(request.result as Array<{ update: Uint8Array }>)
        request.onerror = () => reject(request.error ?? new Error('read failed'))
      })
      const { Y } = window.driftless
      const doc = new Y.Doc()
      for (const row of rows) Y.applyUpdate(doc, row.update)
      return { version: db.version, text: doc.getText('t').toString() }
    } finally {
      db.close()
    }
  }, [name, docId] as const)

test('an upgrade blocked by an old tab: storage-unavailable, edits still sync, storage catches up once it lets go', async ({ context, browser, relay }) => {
  const databaseName = `blocked-${uniquePrefix()}`
  const docId = 'blocked'
  const old = await openPage(context)
  const oldVersion = await holdOpen(old, databaseName)

  const page = await openPage(context)
  await watchRejections(page)
  await runNextRelease(page)
  const options = { docId, relay: relay.url, channelPrefix: uniquePrefix(), databaseName }
  await openIn(page, 'a', options) // `loaded` resolves: the replica starts from memory and the relay
  await eventually(async () => (await prop<string[]>(page, 'a', 'errors')).includes('storage-unavailable'), true)
  await eventually(() => prop(page, 'a', 'status'), 'synced')

  await edit(page, 'a', 'while blocked;')
  await call(page, 'a', 'whenSynced')
  const reader = await readFromRelay(browser, relay.url, docId)
  await eventually(() => textOf(reader.page, 'reader'), 'while blocked;')
  await reader.close()
  // Nothing reached the database yet: it is still at the old version, without the edit.
  expect(await old.evaluate(() => (window as unknown as { oldConnection: IDBDatabase }).oldConnection.version)).toBe(oldVersion)

  // The old tab lets go: the upgrade goes through and the backlog is written.
  const letGoAt = Date.now()
  await letGo(old)
  await call(page, 'a', 'whenSaved')
  // Not asserted: the backlog waits for the writer's next retry (backoff capped at 5 s).
  test.info().annotations.push({ type: 'saved after the old tab let go (ms)', description: String(Date.now() - letGoAt) })
  console.log(`saved ${Date.now() - letGoAt} ms after the old tab let go`)
  expect(await readStored(old, databaseName, docId)).toEqual({ version: oldVersion + 1, text: 'while blocked;' })
  expect(await rejections(page)).toEqual([])

  // And a reload without the relay restores it from IndexedDB alone.
  await relay.stop()
  await page.goto(HARNESS)
  await page.waitForFunction(() => document.getElementById('ready')?.textContent === 'ready')
  await runNextRelease(page)
  await openIn(page, 'a', options)
  expect(await textOf(page, 'a')).toBe('while blocked;')
  expect(await prop<string[]>(page, 'a', 'errors')).toEqual([])
})

test('two tabs of the next release blocked by one old tab: neither hangs, both catch up', async ({ context, browser, relay }) => {
  const databaseName = `blocked-twice-${uniquePrefix()}`
  const docId = 'blocked-twice'
  const old = await openPage(context)
  const oldVersion = await holdOpen(old, databaseName)
  // The second tab's open request queues behind the first one's, and the browser tells it nothing.
  const tabs = [await openPage(context), await openPage(context)]
  const options = { docId, relay: relay.url, channelPrefix: uniquePrefix(), databaseName }
  for (const tab of tabs) {
    await watchRejections(tab)
    await runNextRelease(tab)
    await openIn(tab, 'a', options)
  }
  for (const tab of tabs) {
    await eventually(async () => (await prop<string[]>(tab, 'a', 'errors')).includes('storage-unavailable'), true)
  }
  await edit(tabs[0]!, 'a', 'one;')
  await edit(tabs[1]!, 'a', 'two;')
  for (const tab of tabs) await call(tab, 'a', 'whenSynced')
  const reader = await readFromRelay(browser, relay.url, docId)
  await eventually(async () => (await textOf(reader.page, 'reader')).split(';').sort(), ['', 'one', 'two'])
  await reader.close()

  await letGo(old)
  for (const tab of tabs) await call(tab, 'a', 'whenSaved')
  const stored = await readStored(old, databaseName, docId)
  expect({ version: stored.version, parts: stored.text.split(';').sort() }).toEqual({ version: oldVersion + 1, parts: ['', 'one', 'two'] })
  for (const tab of tabs) expect(await rejections(tab)).toEqual([])
})

test("a replica's open connection closes on versionchange: another tab's upgrade is not blocked", async ({ context, browser, relay }) => {
  const databaseName = `upgrade-${uniquePrefix()}`
  const docId = 'upgraded'
  const page = await openPage(context)
  await watchRejections(page)
  await openIn(page, 'a', { docId, relay: relay.url, channelPrefix: uniquePrefix(), databaseName })
  await edit(page, 'a', 'before;')
  await call(page, 'a', 'whenSaved')

  // A tab of the next release upgrades the database while the replica's connection is open.
  const next = await openPage(context)
  const upgrade = await next.evaluate((name) => new Promise<{ version: number; blocked: boolean }>((resolve, reject) => {
    let blocked = false
    const request = indexedDB.open(name, 2)
    request.onblocked = () => { blocked = true }
    request.onsuccess = () => {
      const db = request.result
      ;(window as unknown as { newConnection: IDBDatabase }).newConnection = db
      resolve({ version: db.version, blocked })
    }
    request.onerror = () => reject(request.error ?? new Error('open failed'))
  }), databaseName)
  expect(upgrade).toEqual({ version: 2, blocked: false })

  // This tab's schema is now older than the database's: a typed error, and edits still reach the relay.
  await edit(page, 'a', 'after;')
  await eventually(async () => (await prop<string[]>(page, 'a', 'errors')).includes('storage-unavailable'), true)
  await call(page, 'a', 'whenSynced')
  const reader = await readFromRelay(browser, relay.url, docId)
  await eventually(() => textOf(reader.page, 'reader'), 'before;after;')
  await reader.close()
  expect(await rejections(page)).toEqual([])
  await next.evaluate(() => (window as unknown as { newConnection: IDBDatabase }).newConnection.close())
})
