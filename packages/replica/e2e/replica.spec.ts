import { expect, type Page } from '@playwright/test'
import type * as Y from 'yjs'
import type { Replica } from '../src/index.js'
import {
  call, edit, eventually, openIn, openPage, prop, readFromRelay, textOf, uniquePrefix, test,
} from './fixtures.js'

test('a document persists across a reload (IndexedDB)', async ({ context }) => {
  const prefix = uniquePrefix()
  const page = await openPage(context)
  await openIn(page, 'a', { docId: 'persist', channelPrefix: prefix })
  await edit(page, 'a', 'survives reload')
  await call(page, 'a', 'whenSaved')
  await page.reload()
  await page.waitForFunction(() => document.getElementById('ready')?.textContent === 'ready')
  await openIn(page, 'a', { docId: 'persist', channelPrefix: prefix })
  expect(await textOf(page, 'a')).toBe('survives reload')
})

test('two tabs converge with the relay stopped', async ({ context, relay }) => {
  const prefix = uniquePrefix()
  const one = await openPage(context)
  const two = await openPage(context)
  await openIn(one, 'a', { docId: 'tabs', relay: relay.url, channelPrefix: prefix })
  await openIn(two, 'a', { docId: 'tabs', relay: relay.url, channelPrefix: prefix })
  await relay.stop()
  await edit(one, 'a', 'one;')
  await edit(two, 'a', 'two;')
  await eventually(async () => (await textOf(one, 'a')).length, 8)
  await eventually(() => textOf(two, 'a'), await textOf(one, 'a'))
  // One change in each tab, both pending: the device's count, the same in both tabs.
  await eventually(() => prop<number>(one, 'a', 'pending'), 2)
  await eventually(() => prop<number>(two, 'a', 'pending'), 2)
  // Presence crosses tabs without the relay too.
  const clientId = await one.evaluate(() => {
    const r = (window as unknown as { replicas: Record<string, Replica> }).replicas['a']!
    window.driftless.presence(r).setLocalStateField('user', 'tab one')
    return r.doc.clientID
  })
  await eventually(() => two.evaluate((id) => {
    const r = (window as unknown as { replicas: Record<string, Replica> }).replicas['a']!
    return (window.driftless.presence(r).getStates().get(id) as { user?: string } | undefined)?.user
  }, clientId), 'tab one')
})

test('N tabs with several documents open ONE websocket', async ({ context, relay }) => {
  const prefix = uniquePrefix()
  let sockets = 0
  const pages: Page[] = []
  for (let i = 0; i < 4; i++) {
    const page = await openPage(context)
    page.on('websocket', () => { sockets++ })
    pages.push(page)
  }
  for (const [i, page] of pages.entries()) {
    await openIn(page, 'a', { docId: `doc-${i}`, relay: relay.url, channelPrefix: prefix })
    await openIn(page, 'b', { docId: 'shared', relay: relay.url, channelPrefix: prefix })
  }
  for (const [i, page] of pages.entries()) {
    await edit(page, 'a', `doc ${i}`)
    await edit(page, 'b', `${i}`)
    await call(page, 'a', 'whenSynced')
    await call(page, 'b', 'whenSynced')
  }
  expect(relay.relay.stats().connections).toBe(1)
  expect(sockets).toBe(1)
  const leaders = await Promise.all(pages.map((page) => prop<boolean>(page, 'a', 'isLeader')))
  expect(leaders.filter(Boolean)).toHaveLength(1)
})

test('leader handover when the leader tab closes: nothing lost', async ({ context, browser, relay }) => {
  const prefix = uniquePrefix()
  const pages = [await openPage(context), await openPage(context), await openPage(context)]
  for (const page of pages) await openIn(page, 'a', { docId: 'handover', relay: relay.url, channelPrefix: prefix })
  await eventually(async () => (await Promise.all(pages.map((p) => prop<boolean>(p, 'a', 'isLeader')))).filter(Boolean).length, 1)
  const leaderIndex = (await Promise.all(pages.map((p) => prop<boolean>(p, 'a', 'isLeader')))).indexOf(true)
  const leader = pages[leaderIndex]!
  const followers = pages.filter((p) => p !== leader)
  await edit(followers[0]!, 'a', 'before;')
  await call(followers[0]!, 'a', 'whenSynced')
  // The leader's own last edit is saved locally but maybe not yet acknowledged when it goes away.
  await edit(leader, 'a', 'leader;')
  await call(leader, 'a', 'whenSaved')
  await leader.close()
  await edit(followers[0]!, 'a', 'after;')
  await edit(followers[1]!, 'a', 'other;')
  await eventually(async () => (await Promise.all(followers.map((p) => prop<boolean>(p, 'a', 'isLeader')))).filter(Boolean).length, 1, 5_000)
  await call(followers[0]!, 'a', 'whenSynced')
  await call(followers[1]!, 'a', 'whenSynced')
  const reader = await readFromRelay(browser, relay.url, 'handover')
  await eventually(async () => (await textOf(reader.page, 'reader')).length, 'before;leader;after;other;'.length)
  expect((await textOf(reader.page, 'reader')).split(';').sort()).toEqual(['', 'after', 'before', 'leader', 'other'])
  await reader.close()
})

test('offline edit → reload → online: whenSynced resolves after the relay commits it', async ({ context, browser, relay }) => {
  const prefix = uniquePrefix()
  const page = await openPage(context)
  await openIn(page, 'a', { docId: 'offline', relay: relay.url, channelPrefix: prefix })
  await eventually(() => prop(page, 'a', 'status'), 'synced')
  await relay.stop()
  await edit(page, 'a', 'written offline')
  await call(page, 'a', 'whenSaved')
  await page.reload()
  await page.waitForFunction(() => document.getElementById('ready')?.textContent === 'ready')
  await openIn(page, 'a', { docId: 'offline', relay: relay.url, channelPrefix: prefix })
  expect(await textOf(page, 'a')).toBe('written offline')
  expect(await prop<number>(page, 'a', 'pending')).toBe(1)
  const synced = page.evaluate(() => {
    const r = (window as unknown as { replicas: Record<string, { whenSynced(): Promise<void>; pending: number }> }).replicas['a']!
    return r.whenSynced().then(() => r.pending)
  })
  await relay.restart()
  expect(await synced).toBe(0)
  const reader = await readFromRelay(browser, relay.url, 'offline')
  await eventually(() => textOf(reader.page, 'reader'), 'written offline')
  await reader.close()
})

test('two tabs compacting at once lose nothing', async ({ context }) => {
  const prefix = uniquePrefix()
  const one = await openPage(context)
  const two = await openPage(context)
  await openIn(one, 'a', { docId: 'compact', channelPrefix: prefix, compactAfter: 3 })
  await openIn(two, 'a', { docId: 'compact', channelPrefix: prefix, compactAfter: 3 })
  const burst = (page: Page, label: string) => page.evaluate(async (label) => {
    const r = (window as unknown as { replicas: Record<string, { doc: Y.Doc; whenSaved(): Promise<void> }> }).replicas['a']!
    for (let i = 0; i < 40; i++) {
      r.doc.getMap(label).set(`k${i}`, i)
      await r.whenSaved()
    }
  }, label)
  await Promise.all([burst(one, 'one'), burst(two, 'two')])
  const third = await openPage(context)
  // A new tab on another prefix reads storage alone, without the other tabs' help.
  await openIn(third, 'a', { docId: 'compact', channelPrefix: uniquePrefix() })
  const sizes = await third.evaluate(() => {
    const doc = (window as unknown as { replicas: Record<string, { doc: Y.Doc }> }).replicas['a']!.doc
    return [doc.getMap('one').size, doc.getMap('two').size]
  })
  expect(sizes).toEqual([40, 40])
})

test('a storage fault is surfaced and the edit still reaches the relay', async ({ context, browser, relay }) => {
  const prefix = uniquePrefix()
  const page = await openPage(context)
  await openIn(page, 'a', { docId: 'fault', relay: relay.url, channelPrefix: prefix })
  await eventually(() => prop(page, 'a', 'status'), 'synced')
  // The disk fills up: every write now fails with QuotaExceededError.
  await page.evaluate(() => {
    const add = IDBObjectStore.prototype.add
    ;(window as unknown as { restoreIdb: () => void }).restoreIdb = () => { IDBObjectStore.prototype.add = add }
    IDBObjectStore.prototype.add = function () { throw new DOMException('the quota has been exceeded', 'QuotaExceededError') }
  })
  await edit(page, 'a', 'kept in memory')
  await eventually(async () => (await prop<string[]>(page, 'a', 'errors')).includes('storage-quota'), true)
  await call(page, 'a', 'whenSynced')
  const reader = await readFromRelay(browser, relay.url, 'fault')
  await eventually(() => textOf(reader.page, 'reader'), 'kept in memory')
  await reader.close()
  // Space comes back: local storage catches up by itself.
  await page.evaluate(() => (window as unknown as { restoreIdb: () => void }).restoreIdb())
  await call(page, 'a', 'whenSaved')
  await page.reload()
  await page.waitForFunction(() => document.getElementById('ready')?.textContent === 'ready')
  await relay.stop()
  await openIn(page, 'a', { docId: 'fault', relay: relay.url, channelPrefix: prefix })
  expect(await textOf(page, 'a')).toBe('kept in memory')
})

test('a database closed from under the replica (Safari connection loss) is reopened', async ({ context }) => {
  const prefix = uniquePrefix()
  const page = await openPage(context)
  await openIn(page, 'a', { docId: 'lost', channelPrefix: prefix })
  await edit(page, 'a', 'one;')
  await call(page, 'a', 'whenSaved')
  // Every open connection is closed behind the adapter's back, as Safari does when its IDB server dies.
  await page.evaluate(() => {
    const transaction = IDBDatabase.prototype.transaction
    IDBDatabase.prototype.transaction = function (...args: Parameters<IDBDatabase['transaction']>) {
      IDBDatabase.prototype.transaction = transaction
      this.close()
      return transaction.apply(this, args)
    }
  })
  await edit(page, 'a', 'two;')
  await eventually(async () => (await prop<string[]>(page, 'a', 'errors')).includes('storage-unavailable'), true)
  await call(page, 'a', 'whenSaved')
  await page.reload()
  await page.waitForFunction(() => document.getElementById('ready')?.textContent === 'ready')
  await openIn(page, 'a', { docId: 'lost', channelPrefix: prefix })
  expect(await textOf(page, 'a')).toBe('one;two;')
})

test('the browser going offline is a disconnect; coming back online resyncs at once', async ({ context, browser, relay }) => {
  const page = await openPage(context)
  await openIn(page, 'a', { docId: 'online', relay: relay.url, channelPrefix: uniquePrefix() })
  await eventually(() => prop(page, 'a', 'status'), 'synced')
  // Chromium's offline mode keeps the socket OPEN but drops everything: the replica must not trust it.
  await context.setOffline(true)
  await eventually(() => prop(page, 'a', 'status'), 'offline')
  await edit(page, 'a', 'while offline')
  expect(await prop<number>(page, 'a', 'pending')).toBe(1)
  await context.setOffline(false)
  await call(page, 'a', 'whenSynced')
  const reader = await readFromRelay(browser, relay.url, 'online')
  await eventually(() => textOf(reader.page, 'reader'), 'while offline')
  await reader.close()
})
