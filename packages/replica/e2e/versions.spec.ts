import { expect, type Page } from '@playwright/test'
import type * as Y from 'yjs'
import { call, eventually, openIn, openPage, prop, readFromRelay, textOf, uniquePrefix, test } from './fixtures.js'

interface VersionsApi {
  createVersion(replica: unknown, name: string): Promise<{ id: number }>
  restoreVersion(replica: unknown, id: number): Promise<unknown>
}
type Replicas = { replicas: Record<string, { doc: Y.Doc }>; driftless: { versions: VersionsApi } }

const insertAt = (page: Page, index: number, content: string): Promise<void> =>
  page.evaluate(([index, content]) => {
    (window as unknown as Replicas).replicas['a']!.doc.getText('t').insert(index, content)
  }, [index, content] as const)

const createVersion = (page: Page, name: string): Promise<number> =>
  page.evaluate(async (name) => {
    const w = window as unknown as Replicas
    return (await w.driftless.versions.createVersion(w.replicas['a']!, name)).id
  }, name)

/** Resolves with 'restored' or the ReplicaError code. */
const restoreVersion = (page: Page, id: number): Promise<string> =>
  page.evaluate(async (id) => {
    try {
      const w = window as unknown as Replicas
      await w.driftless.versions.restoreVersion(w.replicas['a']!, id)
      return 'restored'
    } catch (error) {
      return (error as { code?: string }).code ?? String(error)
    }
  }, id)

test('a device offline during a restore comes back: its edits are on top of the restored content everywhere', async ({ browser, relay }) => {
  const deviceA = await browser.newContext()
  const deviceB = await browser.newContext()
  const a = await openPage(deviceA)
  const b = await openPage(deviceB)
  await openIn(a, 'a', { docId: 'history', relay: relay.url, channelPrefix: uniquePrefix() })
  await openIn(b, 'a', { docId: 'history', relay: relay.url, channelPrefix: uniquePrefix() })
  await insertAt(a, 0, 'one two')
  await call(a, 'a', 'whenSynced')
  const version = await createVersion(a, 'v1')
  await insertAt(a, 7, ' three')
  await call(a, 'a', 'whenSynced')
  await eventually(() => textOf(b, 'a'), 'one two three')

  await deviceB.setOffline(true)
  await eventually(() => prop<string>(b, 'a', 'status'), 'offline')
  await insertAt(b, 0, 'B: ')
  await insertAt(b, 'B: one two three'.length, '!')
  // Restoring needs the relay: refused at once, never queued.
  expect(await restoreVersion(b, version)).toBe('offline')

  expect(await restoreVersion(a, version)).toBe('restored')
  expect(await textOf(a, 'a')).toBe('one two')

  await deviceB.setOffline(false)
  await call(b, 'a', 'whenSynced')
  // B's insert at the end of " three" survives the restore's deletion of " three".
  await eventually(() => textOf(a, 'a'), 'B: one two!')
  await eventually(() => textOf(b, 'a'), 'B: one two!')
  const reader = await readFromRelay(browser, relay.url, 'history')
  await eventually(() => textOf(reader.page, 'reader'), 'B: one two!')
  await reader.close()
  await deviceA.close()
  await deviceB.close()
})
