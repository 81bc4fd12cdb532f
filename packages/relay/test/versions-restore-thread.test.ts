import { afterEach, beforeAll, describe, expect, it } from 'vitest'
import * as Y from 'yjs'
import { ErrorCode } from '@driftless/protocol'
import { createRng } from '@driftless/testkit/support'
import { RelayError, type Relay, type RelayOptions } from '../src/index.js'
import { startRelay } from './helpers.js'
import { SyncedDoc } from './versions-support.js'

/** A text of 20,000 random-position inserts (~0.9 MB): its restore takes the relay hundreds of milliseconds of CPU. */
let bigText: Uint8Array
beforeAll(() => {
  const doc = new Y.Doc()
  const text = doc.getText('t')
  const rng = createRng(12)
  for (let i = 0; i < 20_000; i++) text.insert(rng.int(0, text.length), 'lorem ipsum ')
  bigText = Y.encodeStateAsUpdate(doc)
})

describe('restore off the event loop', () => {
  let relay: Relay
  const docs: SyncedDoc[] = []
  afterEach(async () => {
    for (const doc of docs.splice(0)) doc.close()
    await relay?.close()
  })

  /** The big document on a relay, with a version of it taken and an edit made after it. */
  const bigDocumentWithVersion = async (options: RelayOptions = {}): Promise<{ big: SyncedDoc; versionId: number; versionText: string }> => {
    relay = await startRelay(options)
    const big = await SyncedDoc.open(relay.url, 'big')
    docs.push(big)
    await big.change(doc => Y.applyUpdate(doc, bigText))
    const version = await relay.versions.createNamed('big', 'v1', 'alice')
    const versionText = big.doc.getText('t').toString()
    await big.change(doc => doc.getText('t').insert(0, 'changed after the version '))
    return { big, versionId: version.id, versionText }
  }

  it('acknowledges another document\'s updates, one after another, while a big restore is computed', async () => {
    const { versionId, versionText } = await bigDocumentWithVersion()
    const other = await SyncedDoc.open(relay.url, 'other')
    docs.push(other)

    let restoreDone = false
    const started = performance.now()
    const restore = relay.versions.restore('big', versionId, 'alice').finally(() => { restoreDone = true })
    const acks: number[] = []
    while (!restoreDone) {
      await other.change(doc => doc.getMap('m').set('n', acks.length))
      if (!restoreDone) acks.push(performance.now())
    }
    await restore
    const took = performance.now() - started

    // On the event loop, the whole computation would pass between two acks; off it, acks keep flowing all along.
    const gaps = [...acks, performance.now()].map((at, i) => at - (i === 0 ? started : acks[i - 1]!))
    expect(acks.length).toBeGreaterThanOrEqual(3)
    expect(Math.max(...gaps)).toBeLessThan(took / 3)
    const check = await SyncedDoc.open(relay.url, 'big')
    docs.push(check)
    expect(check.doc.getText('t').toString()).toBe(versionText)
  })

  it('refuses a restore that runs past restoreTimeoutMs with restoreFailed, changing and storing nothing', async () => {
    const { big } = await bigDocumentWithVersion({ restoreTimeoutMs: 1 })
    const versionsBefore = await relay.versions.list('big')
    const textBefore = big.doc.getText('t').toString()

    const error: unknown = await relay.versions.restore('big', versionsBefore[0]!.id, 'alice').then(() => undefined, (e: unknown) => e)

    expect(error).toBeInstanceOf(RelayError)
    expect((error as RelayError).code).toBe(ErrorCode.restoreFailed)
    expect(await relay.versions.list('big')).toEqual(versionsBefore)
    const check = await SyncedDoc.open(relay.url, 'big')
    docs.push(check)
    expect(check.doc.getText('t').toString()).toBe(textBefore)
  })
})
