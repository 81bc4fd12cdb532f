import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import * as Y from 'yjs'
import { verifyWebhook } from '../src/index.js'
import { startRelay, waitUntil, type RelayProcess } from '@driftless/testkit/support'
import { makeUpdate, TestClient } from './helpers.js'
import { ensureBuilt, relayBin } from './process.js'
import { WebhookReceiver } from './webhook-receiver.js'

const SECRET = 'process-secret'
let dataDir: string
const processes: RelayProcess[] = []
let hooks: WebhookReceiver

beforeAll(async () => {
  ensureBuilt()
  dataDir = mkdtempSync(join(tmpdir(), 'driftless-webhook-crash-'))
  hooks = await WebhookReceiver.start()
}, 120_000)

afterAll(async () => {
  for (const relay of processes) await relay.kill()
  await hooks.down()
  rmSync(dataDir, { recursive: true, force: true })
})

describe('webhooks of the driftless-relay process', () => {
  it('delivers, after a kill -9 and a restart, every event of every acknowledged write', async () => {
    await hooks.down()
    const first = await startRelay({
      bin: relayBin, dataDir, args: ['--log-level', 'warn', '--webhook-url', hooks.url], env: { DRIFTLESS_WEBHOOK_SECRET: SECRET },
    })
    processes.push(first)
    const client = await TestClient.greeted(first.url)
    const docs = ['alpha', 'beta', 'gamma/with slash', 'délta']
    let ackId = 0
    for (const docId of docs) {
      await client.subscribe(docId)
      client.send({ type: 'update', docId, update: makeUpdate(docId, new Y.Doc()), ackId: ++ackId })
    }
    await client.waitFor(m => m.type === 'ack' && m.ackId === ackId)
    expect(client.of('ack')).toHaveLength(docs.length)
    // Acknowledged means committed, outbox entries included: kill the relay before it could send anything.
    await first.kill()
    expect(first.lastExit?.signal).toBe('SIGKILL')
    await hooks.up()
    expect(hooks.requests).toHaveLength(0)

    // The URL now comes from the environment (comma-separated list), the flag's twin.
    const second = await startRelay({
      bin: relayBin, dataDir, args: ['--log-level', 'warn'], env: { DRIFTLESS_WEBHOOK_URL: `${hooks.url}, `, DRIFTLESS_WEBHOOK_SECRET: SECRET },
    })
    processes.push(second)
    await waitUntil(() => new Set(hooks.delivered.map(event => event.docId)).size === docs.length, 20_000, 'every document')
    expect(hooks.delivered.map(event => event.docId).sort()).toEqual([...docs].sort())
    for (const request of hooks.requests) expect(verifyWebhook(SECRET, request.body, request.headers['x-driftless-signature'])).toBe(true)
    await second.stop()
    expect(second.lastExit?.code).toBe(0)
  }, 60_000)
})
