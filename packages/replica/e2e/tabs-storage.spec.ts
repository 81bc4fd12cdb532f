import { expect, type Page } from '@playwright/test'
import {
  call, edit, eventually, openIn, openPage, prop, readFromRelay, textOf, uniquePrefix, test,
} from './fixtures.js'

const ready = (page: Page) => page.waitForFunction(() => document.getElementById('ready')?.textContent === 'ready')

/** Rows of `docId` in one object store of the shared IndexedDB database (read on a connection of its own). */
const rows = (page: Page, store: 'updates' | 'pending', docId: string): Promise<number> =>
  page.evaluate(([store, docId]) => new Promise<number>((resolve, reject) => {
    const open = indexedDB.open('driftless')
    open.onerror = () => reject(open.error ?? new Error('open failed'))
    open.onsuccess = () => {
      const db = open.result
      const count = db.transaction(store, 'readonly').objectStore(store).index('docId').count(docId)
      count.onsuccess = () => { db.close(); resolve(count.result) }
      count.onerror = () => { db.close(); reject(count.error ?? new Error('count failed')) }
    }
  }), [store, docId] as const)

test('pending is one number per device: every tab shows the same count, across a reload, and 0 once online', async ({ context, relay }) => {
  const prefix = uniquePrefix()
  const options = { docId: 'pending-count', relay: relay.url, channelPrefix: prefix }
  const one = await openPage(context)
  const two = await openPage(context)
  await openIn(one, 'a', options)
  await openIn(two, 'a', options)
  await eventually(() => prop(one, 'a', 'status'), 'synced')
  await eventually(() => prop(two, 'a', 'status'), 'synced')
  await relay.stop()
  // Each edit is its own task, so its own change.
  for (const content of ['1a;', '1b;', '1c;']) await edit(one, 'a', content)
  for (const content of ['2a;', '2b;']) await edit(two, 'a', content)
  await call(one, 'a', 'whenSaved')
  await call(two, 'a', 'whenSaved')
  await eventually(() => prop(one, 'a', 'pending'), 5)
  await eventually(() => prop(two, 'a', 'pending'), 5)

  await one.reload()
  await ready(one)
  await openIn(one, 'a', options)
  expect(await prop<number>(one, 'a', 'pending')).toBe(5)
  expect(await prop<number>(two, 'a', 'pending')).toBe(5)

  await relay.restart()
  await call(one, 'a', 'whenSynced')
  await call(two, 'a', 'whenSynced')
  await eventually(() => prop(one, 'a', 'pending'), 0)
  await eventually(() => prop(two, 'a', 'pending'), 0)
  await eventually(() => rows(one, 'pending', 'pending-count'), 0)
  expect((await textOf(two, 'a')).split(';').sort()).toEqual(['', '1a', '1b', '1c', '2a', '2b'])
})

test('four tabs store each remote update once; every tab converges and a reload restores everything', async ({ context, browser, relay }) => {
  const prefix = uniquePrefix()
  const docId = 'one-writer'
  // No compaction during the test: every row written stays countable.
  const options = { docId, relay: relay.url, channelPrefix: prefix, compactAfter: 100_000 }
  const tabs: Page[] = []
  for (let i = 0; i < 4; i++) {
    const page = await openPage(context)
    await openIn(page, 'a', options)
    tabs.push(page)
  }
  for (const tab of tabs) await eventually(() => prop(tab, 'a', 'status'), 'synced')
  for (const tab of tabs) await call(tab, 'a', 'whenSaved')

  // Another device writes; each of its updates reaches this browser once over the one socket.
  const other = await readFromRelay(browser, relay.url, docId)
  let expected = ''
  for (let i = 0; i < 5; i++) {
    const before = await rows(tabs[0]!, 'updates', docId)
    await edit(other.page, 'reader', `u${i};`)
    await call(other.page, 'reader', 'whenSynced')
    expected += `u${i};`
    for (const tab of tabs) await eventually(() => textOf(tab, 'a'), expected)
    for (const tab of tabs) await call(tab, 'a', 'whenSaved')
    expect(await rows(tabs[0]!, 'updates', docId) - before, `rows written for remote update ${i}`).toBe(1)
  }
  expect(await rows(tabs[0]!, 'pending', docId)).toBe(0)
  for (const tab of tabs) expect(await prop<number>(tab, 'a', 'pending')).toBe(0)
  await other.close()

  // From IndexedDB alone: the relay is down and the reloaded tab talks to no other tab (a prefix of its own).
  await relay.stop()
  const last = tabs[3]!
  await last.reload()
  await ready(last)
  await openIn(last, 'a', { ...options, channelPrefix: uniquePrefix() })
  expect(await textOf(last, 'a')).toBe(expected)
})
