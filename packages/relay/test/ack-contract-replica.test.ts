import fc from 'fast-check'
import { afterEach, describe, expect, it } from 'vitest'
import { WebSocket } from 'ws'
import * as Y from 'yjs'
import { createMemoryStorage as createLocalStorage, openReplica, type Replica, type StorageAdapter } from '@driftless/replica'
import { waitUntil } from '@driftless/testkit/support'
import type { Relay } from '../src/index.js'
import { GatedStorage } from './gated-storage.js'
import { startRelay } from './helpers.js'

/**
 * `whenSynced()` resolving means the relay has committed the change: these tests drive real replicas against
 * a relay whose commits the test holds back, drops (kill -9) and lets through, and check that promise after
 * every step.
 */

/** A relay process on a fixed port over `storage`, that can be killed and started again. */
class RelayHost {
  relay: Relay | null = null
  port = 0
  constructor(readonly storage: GatedStorage) {}

  get url(): string {
    return `ws://127.0.0.1:${this.port}`
  }

  async start(): Promise<void> {
    this.storage.revive()
    this.relay = await startRelay({ storage: this.storage, port: this.port })
    this.port = this.relay.port
  }

  /** kill -9: what waits for a commit is lost; the replicas see their connection drop. */
  async kill(): Promise<void> {
    this.storage.crash()
    await this.relay?.close()
    this.relay = null
  }
}

interface Device {
  local: StorageAdapter
  replica: Replica
}

const open = (host: RelayHost, local: StorageAdapter): Replica =>
  openReplica({
    docId: 'doc', relay: host.url, storage: local, WebSocket: WebSocket as never, crossTab: false,
    backoff: { baseMs: 5, capMs: 40 },
  })

const hosts: RelayHost[] = []
const devices: Device[] = []
afterEach(async () => {
  await Promise.all(devices.splice(0).map(device => device.replica.close()))
  for (const host of hosts.splice(0)) {
    await host.storage.release()
    await host.relay?.close()
  }
})

const startHost = async (): Promise<RelayHost> => {
  const host = new RelayHost(new GatedStorage())
  hosts.push(host)
  await host.start()
  return host
}

/** The keys of map `m` that durable storage holds. */
const durableKeys = async (storage: GatedStorage): Promise<Set<string>> => {
  const doc = new Y.Doc()
  for (const row of await storage.durable.load('doc')) Y.applyUpdate(doc, row.update)
  return new Set(doc.getMap('m').keys())
}

const pause = (ms: number): Promise<void> => new Promise(resolve => setTimeout(resolve, ms))

describe('whenSynced() and a relay whose commits are slow or lost', () => {
  it('does not resolve on a reconnect while the change is not committed, and the change survives kill -9', async () => {
    const host = await startHost()
    const local = createLocalStorage()
    const device: Device = { local, replica: open(host, local) }
    devices.push(device)
    await device.replica.whenSynced()

    host.storage.hold()
    device.replica.doc.getMap('m').set('kept', true)
    let resolved = false
    const synced = device.replica.whenSynced().then(() => { resolved = true })
    await waitUntil(() => host.storage.waiting === 1, 5_000, 'the update to reach the relay')
    device.replica.disconnect()
    device.replica.connect()
    await waitUntil(() => device.replica.status === 'syncing' || device.replica.status === 'synced', 5_000, 'resubscribe')
    await pause(300)
    expect(resolved).toBe(false)
    expect(device.replica.pending).toBeGreaterThan(0)

    await host.kill()
    expect(await durableKeys(host.storage)).toEqual(new Set())
    await host.start()
    await synced
    expect(await durableKeys(host.storage)).toEqual(new Set(['kept']))
  })

  it('model: writes, reconnects, reloads, slow commits and kill -9 never break a resolved whenSynced()', async () => {
    type Step =
      | { kind: 'edit'; device: number }
      | { kind: 'reconnect'; device: number }
      | { kind: 'reload'; device: number }
      | { kind: 'hold' }
      | { kind: 'release' }
      | { kind: 'kill' }
      | { kind: 'wait'; ms: number }
    const DEVICES = 3
    const device = fc.integer({ min: 0, max: DEVICES - 1 })
    const step: fc.Arbitrary<Step> = fc.oneof(
      { weight: 5, arbitrary: device.map(d => ({ kind: 'edit' as const, device: d })) },
      { weight: 2, arbitrary: device.map(d => ({ kind: 'reconnect' as const, device: d })) },
      { weight: 1, arbitrary: device.map(d => ({ kind: 'reload' as const, device: d })) },
      { weight: 2, arbitrary: fc.constant({ kind: 'hold' as const }) },
      { weight: 2, arbitrary: fc.constant({ kind: 'release' as const }) },
      { weight: 1, arbitrary: fc.constant({ kind: 'kill' as const }) },
      { weight: 2, arbitrary: fc.integer({ min: 1, max: 60 }).map(ms => ({ kind: 'wait' as const, ms })) },
    )
    const seed = Number(process.env.DRIFTLESS_MODEL_SEED ?? Date.now() % 2 ** 31)

    await fc.assert(
      fc.asyncProperty(fc.array(step, { minLength: 10, maxLength: 30 }), async steps => {
        const host = await startHost()
        const run: Device[] = []
        for (let i = 0; i < DEVICES; i++) {
          const local = createLocalStorage()
          run.push({ local, replica: open(host, local) })
        }
        devices.push(...run)
        /** Keys whose `whenSynced()` resolved: each must be in durable storage from then on. */
        const promised = new Set<string>()
        const written: string[] = []
        let next = 0
        try {
          for (const action of steps) {
            switch (action.kind) {
              case 'edit': {
                const key = `k${next++}`
                written.push(key)
                const { replica } = run[action.device]!
                replica.doc.getMap('m').set(key, action.device)
                replica.whenSynced().then(() => promised.add(key), () => {})
                break
              }
              case 'reconnect':
                run[action.device]!.replica.disconnect()
                run[action.device]!.replica.connect()
                break
              case 'reload': {
                const target = run[action.device]!
                await target.replica.close()
                target.replica = open(host, target.local)
                break
              }
              case 'hold':
                host.storage.hold()
                break
              case 'release':
                await host.storage.release()
                break
              case 'kill':
                await host.kill()
                await host.start()
                break
              case 'wait':
                await pause(action.ms)
                break
            }
            await pause(5)
            const durable = await durableKeys(host.storage)
            const lost = [...promised].filter(key => !durable.has(key))
            expect(lost, `after ${JSON.stringify(action)}`).toEqual([])
          }
          // Healed: every write of every device reaches durable storage, and every promise resolves.
          await host.storage.release()
          await Promise.all(run.map(d => d.replica.whenSynced()))
          const durable = await durableKeys(host.storage)
          expect(written.filter(key => !durable.has(key))).toEqual([])
        } finally {
          await Promise.all(run.map(d => d.replica.close()))
          await host.storage.release()
          await host.relay?.close()
          host.relay = null
        }
      }),
      { numRuns: 25, seed, endOnFailure: true },
    )
  }, 120_000)
})
