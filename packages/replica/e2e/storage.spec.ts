import { expect } from '@playwright/test'
import { openPage, test, uniquePrefix } from './fixtures.js'

test('the storage contract holds for IndexedDB in real Chromium', async ({ context }) => {
  const page = await openPage(context)
  const results = await page.evaluate(async () => {
    const { storageContract, createIndexedDbStorage } = window.driftless
    const names = storageContract(() => createIndexedDbStorage()).map((c) => c.name)
    const outcome: Array<{ name: string; error?: string }> = []
    for (const [i, name] of names.entries()) {
      // A database per case; both adapters a case opens share it, like two tabs.
      const database = `contract-${i}-${Math.random().toString(36).slice(2)}`
      const check = storageContract(() => createIndexedDbStorage({ name: database }))[i]!
      try {
        await check.run()
        outcome.push({ name })
      } catch (error) {
        outcome.push({ name, error: String(error) })
      }
    }
    return outcome
  })
  expect(results.length).toBeGreaterThan(4)
  expect(results.filter((r) => r.error)).toEqual([])
})

/**
 * Not a timing assertion: records how long 10,000 one-edit transactions take to commit and how long a reload
 * takes, for both durability modes, as test annotations (the benchmark app owns the targets).
 */
test('10,000 one-edit transactions commit and reload intact in both durability modes', async ({ context }) => {
  const page = await openPage(context)
  for (const durability of ['strict', 'relaxed'] as const) {
    const measured = await page.evaluate(async ([durability, prefix]) => {
      const { openReplica } = window.driftless
      const databaseName = `measure-${durability}-${prefix}`
      const options = { docId: 'bulk', storage: 'indexeddb' as const, durability, databaseName, channelPrefix: prefix }
      const writer = openReplica(options)
      await writer.loaded
      const text = writer.doc.getText('t')
      const start = performance.now()
      for (let i = 0; i < 10_000; i++) text.insert(i, 'x')
      const editMs = performance.now() - start
      await writer.whenSaved()
      const commitMs = performance.now() - start
      await writer.close()
      const reloadStart = performance.now()
      const reader = openReplica({ ...options, channelPrefix: `${prefix}-reader` })
      await reader.loaded
      const reloadMs = performance.now() - reloadStart
      const length = reader.doc.getText('t').length
      await reader.close()
      // One more edit in its own task, to see a single small commit.
      const single = openReplica(options)
      await single.loaded
      const oneStart = performance.now()
      single.doc.getText('t').insert(0, 'y')
      await single.whenSaved()
      const oneEditMs = performance.now() - oneStart
      await single.close()
      return { editMs, commitMs, reloadMs, oneEditMs, length }
    }, [durability, uniquePrefix()] as const)
    expect(measured.length).toBe(10_000)
    test.info().annotations.push({
      type: `durability ${durability}`,
      description: `10k edits committed in ${measured.commitMs.toFixed(0)} ms (Yjs edits alone ${measured.editMs.toFixed(0)} ms); reload ${measured.reloadMs.toFixed(1)} ms; one edit ${measured.oneEditMs.toFixed(1)} ms`,
    })
    console.log(`[measure] ${durability}: 10k edits committed in ${measured.commitMs.toFixed(0)} ms (Yjs edits alone ${measured.editMs.toFixed(0)} ms); reload ${measured.reloadMs.toFixed(1)} ms; one edit ${measured.oneEditMs.toFixed(1)} ms`)
  }
})

test('opening and closing a document 1,000 times without edits does not grow the store', async ({ context }) => {
  const page = await openPage(context)
  const rows = await page.evaluate(async (prefix) => {
    const { openReplica, createIndexedDbStorage } = window.driftless
    const databaseName = `open-close-${prefix}`
    const first = openReplica({ docId: 'doc', databaseName, channelPrefix: prefix })
    await first.loaded
    first.doc.getText('t').insert(0, 'content')
    await first.close()
    const count = async () => {
      const storage = createIndexedDbStorage({ name: databaseName })
      const stored = await storage.load('doc')
      await storage.close()
      return stored.log.length + stored.pending.length
    }
    const before = await count()
    for (let i = 0; i < 1_000; i++) {
      const replica = openReplica({ docId: 'doc', databaseName, channelPrefix: prefix })
      await replica.loaded
      await replica.close()
    }
    return { before, after: await count() }
  }, uniquePrefix())
  expect(rows.before).toBeGreaterThan(0)
  expect(rows.after).toBe(rows.before)
})
