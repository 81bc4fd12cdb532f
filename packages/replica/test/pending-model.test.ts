import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import * as Y from 'yjs'
import { DocumentEdits } from '../src/edits.js'
import { LocalStore } from '../src/local-store.js'
import { Origin } from '../src/origins.js'
import { PendingChanges } from '../src/pending/changes.js'
import { createMemoryStorage, type StorageAdapter } from '../src/index.js'

/** Runs: short in `npm test`; `DRIFTLESS_FUZZ_RUNS=500 npx vitest run pending-model` for long. Replay with the printed seed. */
const runs = Number(process.env.DRIFTLESS_FUZZ_RUNS ?? 40)
const seed = Number(process.env.DRIFTLESS_FUZZ_SEED ?? 1714)

type Command =
  | { kind: 'edit'; tab: number }
  | { kind: 'ack'; tab: number; count: number }
  | { kind: 'handshake'; tab: number }
  | { kind: 'edit-during-handshake'; tab: number }
  | { kind: 'reload'; tab: number }
  | { kind: 'close'; tab: number }
  | { kind: 'open' }

const command: fc.Arbitrary<Command> = fc.oneof(
  { weight: 5, arbitrary: fc.record({ kind: fc.constant('edit' as const), tab: fc.nat(3) }) },
  { weight: 3, arbitrary: fc.record({ kind: fc.constant('ack' as const), tab: fc.nat(3), count: fc.integer({ min: 1, max: 3 }) }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('handshake' as const), tab: fc.nat(3) }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('edit-during-handshake' as const), tab: fc.nat(3) }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('reload' as const), tab: fc.nat(3) }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('close' as const), tab: fc.nat(3) }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('open' as const) }) },
)

/** One tab's replica of the document, reduced to the parts that own and move pending changes. */
interface Tab {
  doc: Y.Doc
  store: LocalStore
  pending: PendingChanges
  edits: DocumentEdits
  /** Its sealed changes as they left for the relay, oldest first, not yet acknowledged by the relay model. */
  inFlight: Array<{ seq: number; token: string }>
}

/**
 * The tokens (map keys) an update writes: what identifies a change across tabs, storage and the wire. Read
 * from the update's structs, since a later change cannot be applied without the earlier ones.
 */
const tokensOf = (update: Uint8Array): string[] =>
  Y.decodeUpdate(update).structs.flatMap((struct) => (struct instanceof Y.Item && struct.parentSub !== null ? [struct.parentSub] : []))

/** A device: tabs over one shared storage, with a tab channel delivering sealed changes and notes in order. */
class Device {
  readonly tabs: Tab[] = []
  /** How often each change (token) left a replica as an update. */
  readonly sent = new Map<string, number>()

  constructor(readonly storage: StorageAdapter) {}

  async open(): Promise<void> {
    const doc = new Y.Doc()
    const store = new LocalStore(doc, this.storage, 'doc', 100_000)
    const pending = new PendingChanges(doc, this.storage, 'doc', store)
    const edits = new DocumentEdits(doc, pending, store)
    const tab: Tab = { doc, store, pending, edits, inFlight: [] }
    pending.on('sealed', (change) => {
      // As the sync session does: a change an acknowledged handshake covered is not sent again.
      for (const token of pending.has(change.seq) ? tokensOf(change.update) : []) {
        tab.inFlight.push({ seq: change.seq, token })
        this.sent.set(token, (this.sent.get(token) ?? 0) + 1)
      }
      for (const other of this.#others(tab)) Y.applyUpdate(other.doc, change.update, Origin.otherTab)
    })
    pending.on('note', (note) => {
      for (const other of this.#others(tab)) other.pending.learn(note)
    })
    const [rows] = await Promise.all([store.load(), pending.load()])
    edits.applyFromStorage(rows)
    pending.rebase()
    store.rebase()
    this.tabs.push(tab)
  }

  async close(tab: Tab): Promise<void> {
    tab.pending.seal()
    await tab.store.close()
    tab.pending.close()
    tab.edits.close()
    this.tabs.splice(this.tabs.indexOf(tab), 1)
  }

  /** Lets every write, and every note that follows a write, finish. */
  async settle(): Promise<void> {
    for (let round = 0; round < 4; round++) {
      await Promise.all(this.tabs.map((tab) => tab.store.whenSaved()))
      await new Promise((resolve) => setTimeout(resolve, 0))
    }
  }

  #others(tab: Tab): Tab[] {
    return this.tabs.filter((other) => other !== tab)
  }
}

describe('pending changes under random edits, acks, reloads, handovers and adoption', () => {
  it('pending is exactly the unacknowledged changes, in every tab and in storage; nothing is lost or sent twice', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(command, { minLength: 1, maxLength: 40 }), async (commands) => {
        const device = new Device(createMemoryStorage())
        await device.open()
        /** The model: every change made, and those the relay has not acknowledged. */
        const made = new Set<string>()
        const unacknowledged = new Set<string>()
        let next = 0
        for (const c of commands) {
          const tab = device.tabs[('tab' in c ? c.tab : 0) % device.tabs.length]!
          switch (c.kind) {
            case 'edit': {
              const token = `c${next++}`
              tab.doc.getMap('m').set(token, next)
              made.add(token)
              unacknowledged.add(token)
              break
            }
            case 'ack': {
              // The relay acknowledges this tab's oldest updates: those changes are durable.
              const acked = tab.inFlight.splice(0, c.count)
              tab.pending.acknowledge(acked.map((sent) => sent.seq))
              for (const { token } of acked) unacknowledged.delete(token)
              break
            }
            case 'handshake': {
              // A (re)subscribe: adopt what storage holds, send everything the relay lacks; its ack covers it all.
              await tab.pending.adopt()
              tab.pending.acknowledge(tab.pending.covered())
              unacknowledged.clear()
              break
            }
            case 'edit-during-handshake': {
              // A change sealed just before a handshake whose ack comes before the change's own write settles.
              const token = `c${next++}`
              tab.doc.getMap('m').set(token, next)
              made.add(token)
              tab.pending.seal()
              tab.pending.acknowledge(tab.pending.covered())
              unacknowledged.clear()
              device.sent.set(token, 1) // it left inside the handshake
              break
            }
            case 'reload':
              await device.close(tab)
              await device.open()
              break
            case 'close':
              // The other tabs take over: its pending changes stay counted and are sent on their next handshake.
              if (device.tabs.length > 1) await device.close(tab)
              break
            case 'open':
              if (device.tabs.length < 4) await device.open()
              break
          }
          await device.settle()

          for (const each of device.tabs) expect(each.pending.count).toBe(unacknowledged.size)
          const stored = await device.storage.load('doc')
          expect(stored.pending.flatMap((entry) => tokensOf(entry.update)).sort()).toEqual([...unacknowledged].sort())
          const log = new Y.Doc()
          for (const row of stored.log) Y.applyUpdate(log, row.update)
          expect([...log.getMap('m').keys()].sort()).toEqual([...made].sort())
          for (const token of made) expect(device.sent.get(token), `${token} sent once`).toBe(1)
          for (const each of device.tabs) expect([...each.doc.getMap('m').keys()].sort()).toEqual([...made].sort())
        }
        const synced = device.tabs.map((each) => {
          let done = false
          void each.pending.whenAcknowledged().then(() => { done = true })
          return () => done
        })
        await device.settle()
        for (const done of synced) expect(done()).toBe(unacknowledged.size === 0)
        for (const tab of [...device.tabs]) await device.close(tab)
      }),
      { numRuns: runs, seed },
    )
  })
})

describe('clearing pending changes (a document that no longer exists on the relay)', () => {
  it('forgets every change on the device, deletes every entry, and releases whoever waits', async () => {
    const device = new Device(createMemoryStorage())
    await device.open()
    await device.open()
    const [one, two] = device.tabs as [Tab, Tab]
    one.doc.getMap('m').set('a', 1)
    await device.settle()
    two.doc.getMap('m').set('b', 2)
    await device.settle()
    expect(one.pending.count).toBe(2)
    const waited = one.pending.whenAcknowledged()
    await one.pending.clear()
    await device.settle()
    await waited
    expect(one.pending.count).toBe(0)
    expect(two.pending.count).toBe(0)
    expect((await device.storage.load('doc')).pending).toEqual([])
  })
})
