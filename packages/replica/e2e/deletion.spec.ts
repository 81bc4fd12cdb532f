import { createMemoryStorage, createRelay } from '@driftless/relay'
import { expect, type Page } from '@playwright/test'
import { call, edit, eventually, openIn, openPage, prop, textOf, uniquePrefix, test } from './fixtures.js'

/** Everything the page's IndexedDB holds for a document (log rows + pending entries). */
const storedRows = (page: Page, docId: string): Promise<number> =>
  page.evaluate(async (docId) => {
    const storage = window.driftless.createIndexedDbStorage()
    try {
      const stored = await storage.load(docId)
      return stored.log.length + stored.pending.length
    } finally {
      await storage.close()
    }
  }, docId)

test('a device offline while its document is deleted reconnects with pending edits: nothing comes back', async ({ browser }) => {
  const relayStorage = createMemoryStorage()
  const relay = await createRelay({ port: 0, host: '127.0.0.1', storage: relayStorage, logLevel: 'silent' })
  const [deviceA, deviceB] = [await browser.newContext(), await browser.newContext()]
  try {
    const docId = 'doomed-board'
    const a = await openPage(deviceA)
    let b = await openPage(deviceB)
    await openIn(a, 'r', { docId, relay: relay.url, channelPrefix: uniquePrefix() })
    await openIn(b, 'r', { docId, relay: relay.url, channelPrefix: uniquePrefix() })
    await edit(a, 'r', 'shared;')
    await call(a, 'r', 'whenSynced')
    await eventually(() => textOf(b, 'r'), 'shared;')

    // Device B goes offline and keeps editing: its edits wait in IndexedDB as pending changes.
    await call(b, 'r', 'disconnect')
    await edit(b, 'r', 'offline edits;')
    await call(b, 'r', 'whenSaved')
    expect(await prop<number>(b, 'r', 'pending')).toBeGreaterThan(0)

    await relay.deleteDocument(docId)
    await eventually(() => prop<boolean>(a, 'r', 'deleted'), true)
    await eventually(() => storedRows(a, docId), 0)

    // B comes back later, from a fresh page load (its pending edits only in IndexedDB).
    await b.close()
    b = await openPage(deviceB)
    expect(await storedRows(b, docId)).toBeGreaterThan(0)
    await openIn(b, 'r', { docId, relay: relay.url, channelPrefix: uniquePrefix() })
    await eventually(() => prop<boolean>(b, 'r', 'deleted'), true)
    expect(await prop<number>(b, 'r', 'pending')).toBe(0)
    await eventually(() => storedRows(b, docId), 0)
    expect(await relayStorage.load(docId)).toEqual([])
    expect(await relayStorage.tombstone(docId)).not.toBeNull()
  } finally {
    await Promise.all([deviceA.close(), deviceB.close()])
    await relay.close()
  }
})
