import 'fake-indexeddb/auto'
import { IDBFactory } from 'fake-indexeddb'
import { createIndexedDbStorage, createMemoryStorage, type StorageAdapter } from '@driftless/replica'
import { runStorageContract } from '@driftless/replica/testing'
import { describe, expect, it } from 'vitest'
import * as Y from 'yjs'

// The suite adapter authors run, through the package's own `testing` entry.
runStorageContract('memory', () => {
  // Two `open()` calls in one case must see the same store (two tabs): share one per case.
  return sharedPerCase(createMemoryStorage)
}, { describe, it })

runStorageContract('fake-indexeddb', () => {
  const factory = currentFactory()
  return createIndexedDbStorage({ name: 'contract', indexedDB: factory })
}, { describe, it })

describe('indexeddb adapter', () => {
  it('survives a versionchange from another connection by closing and reopening', async () => {
    const factory = new IDBFactory()
    const storage = createIndexedDbStorage({ name: 'vc', indexedDB: factory })
    await storage.write('a', { log: [update('x')], pending: [], acked: [] })
    // Another tab upgrades the database: our open connection must not block it.
    const upgraded = await new Promise<number>((resolve, reject) => {
      const request = factory.open('vc', 2)
      request.onsuccess = () => { const v = request.result.version; request.result.close(); resolve(v) }
      request.onerror = () => reject(request.error)
      request.onblocked = () => reject(new Error('blocked'))
    })
    expect(upgraded).toBe(2)
    // Our adapter speaks version 1: reopening now fails with a typed, catchable error rather than hanging.
    await expect(storage.load('a')).rejects.toMatchObject({ name: 'VersionError' })
    await storage.close()
  })

  it('fails fast while its upgrade is blocked, with one open request, and uses it once unblocked', async () => {
    const factory = new IDBFactory()
    const today = createIndexedDbStorage({ name: 'held', indexedDB: factory })
    await today.load('warm-up') // creates the database at today's schema
    await today.close()
    // An old tab holds version 1 open and ignores `versionchange`.
    const old = await new Promise<IDBDatabase>((resolve, reject) => {
      const request = factory.open('held', 1)
      request.onsuccess = () => resolve(request.result)
      request.onerror = () => reject(request.error ?? new Error('open failed'))
    })
    // This adapter is the next release: its schema is one version newer.
    const requested: number[] = []
    const nextRelease = Object.assign(Object.create(factory) as IDBFactory, {
      open: (name: string, version?: number) => {
        requested.push((version ?? 0) + 1)
        return factory.open(name, (version ?? 0) + 1)
      },
    })
    const storage = createIndexedDbStorage({ name: 'held', indexedDB: nextRelease })
    await expect(storage.load('a')).rejects.toMatchObject({ name: 'InvalidStateError', message: expect.stringMatching(/blocked/) })
    // Retries fail at once instead of queueing a second request behind the held one (which would hang).
    await expect(storage.write('a', { log: [update('x')], pending: [], acked: [] })).rejects.toMatchObject({ name: 'InvalidStateError' })
    expect(requested).toEqual([2])
    old.close()
    await expect.poll(async () => (await storage.load('a').then(() => 'ok', (e: Error) => e.name)), { timeout: 2_000 }).toBe('ok')
    await storage.write('a', { log: [update('x')], pending: [], acked: [] })
    expect((await storage.load('a')).log).toHaveLength(1)
    expect(requested).toEqual([2])
    await storage.close()
  })

  it('an open queued behind another tab\'s blocked upgrade fails after a while instead of hanging', async () => {
    const factory = new IDBFactory()
    const today = createIndexedDbStorage({ name: 'queued', indexedDB: factory })
    await today.load('warm-up')
    await today.close()
    const old = await new Promise<IDBDatabase>((resolve, reject) => {
      const request = factory.open('queued', 1)
      request.onsuccess = () => resolve(request.result)
      request.onerror = () => reject(request.error ?? new Error('open failed'))
    })
    const nextRelease = Object.assign(Object.create(factory) as IDBFactory, {
      open: (name: string, version?: number) => factory.open(name, (version ?? 0) + 1),
    })
    const first = createIndexedDbStorage({ name: 'queued', indexedDB: nextRelease })
    const second = createIndexedDbStorage({ name: 'queued', indexedDB: nextRelease })
    await expect(first.load('a')).rejects.toMatchObject({ name: 'InvalidStateError' })
    // The second tab's request waits behind the first one's and hears nothing: it gives up on its own.
    await expect(second.load('a')).rejects.toMatchObject({ name: 'InvalidStateError' })
    old.close()
    for (const storage of [first, second]) {
      await expect.poll(async () => (await storage.load('a').then(() => 'ok', (e: Error) => e.name)), { timeout: 2_000 }).toBe('ok')
    }
    await first.write('a', { log: [update('x')], pending: [], acked: [] })
    expect((await second.load('a')).log).toHaveLength(1)
    await first.close()
    await second.close()
  })
})

let caseFactory: IDBFactory | undefined
let caseMemory: StorageAdapter | undefined
let caseId = ''
/** A new store per test case; every adapter opened within one case shares it. */
const currentFactory = (): IDBFactory => {
  const id = expect.getState().currentTestName ?? ''
  if (id !== caseId || !caseFactory) { caseId = id; caseFactory = new IDBFactory(); caseMemory = undefined }
  return caseFactory
}
const sharedPerCase = (create: () => StorageAdapter): StorageAdapter => {
  currentFactory()
  caseMemory ??= create()
  const inner = caseMemory
  let closed = false
  // Closing one handle must not close the store for the other handle of the same case.
  return {
    load: (docId) => (closed ? Promise.reject(new Error('closed')) : inner.load(docId)),
    write: (docId, w) => (closed ? Promise.reject(new Error('closed')) : inner.write(docId, w)),
    replace: (docId, k, m) => (closed ? Promise.reject(new Error('closed')) : inner.replace(docId, k, m)),
    clear: (docId) => (closed ? Promise.reject(new Error('closed')) : inner.clear(docId)),
    close: async () => { closed = true },
  }
}

const update = (text: string): Uint8Array => {
  const doc = new Y.Doc()
  doc.getText('t').insert(0, text)
  return Y.encodeStateAsUpdate(doc)
}
