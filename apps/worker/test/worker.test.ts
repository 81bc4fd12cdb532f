import { spawn, type ChildProcess } from 'node:child_process'
import { mkdtempSync, rmSync } from 'node:fs'
import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { createInterface } from 'node:readline'
import { fileURLToPath } from 'node:url'
import { memoryCheckpoints, openEventLog } from '@driftless/events'
import { createRelay, type Relay } from '@driftless/relay'
import { openReplica, type WebSocketConstructor } from '@driftless/replica'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { WebSocket } from 'ws'
import { orderPlaced } from '../src/orders.js'
import { sourceCondition } from '../../../vitest.shared.js'
import { HANDLER } from '../src/worker.js'

const ORDERS = 60
const appDir = join(dirname(fileURLToPath(import.meta.url)), '..')
const dir = mkdtempSync(join(tmpdir(), 'driftless-worker-'))

/**
 * The mail service: a real HTTP server that applies each idempotency key once (as a real one must) and
 * counts every request, duplicates included. It answers slowly, so the worker is mid-stream for a while.
 */
class MailService {
  readonly requests: string[] = []
  readonly applied = new Set<string>()
  private server: Server | null = null
  url = ''

  async start(): Promise<void> {
    this.server = createServer((request, response) => {
      const chunks: Buffer[] = []
      request.on('data', (chunk: Buffer) => chunks.push(chunk))
      request.on('end', () => {
        const { idempotencyKey } = JSON.parse(Buffer.concat(chunks).toString('utf8')) as { idempotencyKey: string }
        this.requests.push(idempotencyKey)
        this.applied.add(idempotencyKey)
        setTimeout(() => response.writeHead(202).end(), 25)
      })
    })
    await new Promise<void>(resolve => this.server!.listen(0, '127.0.0.1', () => resolve()))
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}/mail`
  }

  async stop(): Promise<void> {
    this.server?.closeAllConnections()
    await new Promise<void>(resolve => this.server?.close(() => resolve()))
  }
}

/** The worker as its own process (`src/main.ts`), resolved once it printed `ready`. */
const spawnWorker = async (relay: string, mailUrl: string): Promise<{ child: ChildProcess; exited: Promise<NodeJS.Signals | number | null> }> => {
  const child = spawn(process.execPath, [`--conditions=${sourceCondition}`, '--import', 'tsx', join(appDir, 'src', 'main.ts')], {
    cwd: appDir,
    env: { ...process.env, DRIFTLESS_RELAY_URL: relay, MAIL_URL: mailUrl, WORKER_DATA_DIR: join(dir, 'worker') },
    stdio: ['ignore', 'pipe', 'inherit'],
  })
  const exited = new Promise<NodeJS.Signals | number | null>(resolve => child.once('exit', (code, signal) => resolve(signal ?? code)))
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('the worker did not print ready')), 30_000)
    createInterface({ input: child.stdout! }).on('line', line => {
      if (line.includes('"msg":"ready"')) {
        clearTimeout(timer)
        resolve()
      }
    })
    void exited.then(code => reject(new Error(`the worker exited (${String(code)}) before ready`)))
  })
  return { child, exited }
}

const until = async (check: () => boolean, ms: number, what: string): Promise<void> => {
  const end = Date.now() + ms
  while (!check()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`)
    await new Promise(resolve => setTimeout(resolve, 20))
  }
}

let relay: Relay
const mail = new MailService()
beforeAll(async () => {
  relay = await createRelay({ port: 0, host: '127.0.0.1', storage: { kind: 'sqlite', path: join(dir, 'relay.db') }, logLevel: 'silent' })
  await mail.start()
})
afterAll(async () => {
  await relay?.close()
  await mail.stop()
  rmSync(dir, { recursive: true, force: true })
})

describe('the worker example', () => {
  it('killed mid-stream and restarted, handles every order exactly once (by idempotency key)', async () => {
    // The shop: a replica that places the orders.
    const shop = openReplica({ docId: 'orders', relay: relay.url, storage: 'memory', crossTab: false, WebSocket: WebSocket as unknown as WebSocketConstructor })
    await shop.loaded
    const log = await openEventLog(shop, { events: [orderPlaced], checkpoints: memoryCheckpoints() })
    const ids = Array.from({ length: ORDERS }, (_, i) => log.emit(orderPlaced, { orderId: `order-${i}`, email: `buyer${i}@example.com` }))
    await shop.whenSynced()
    const expected = ids.map(id => `${HANDLER}:${id}`).sort()

    const first = await spawnWorker(relay.url, mail.url)
    await until(() => mail.applied.size >= ORDERS / 3, 30_000, 'a third of the orders')
    first.child.kill('SIGKILL')
    expect(await first.exited).toBe('SIGKILL')
    const handledBeforeKill = mail.applied.size
    expect(handledBeforeKill).toBeLessThan(ORDERS)

    const second = await spawnWorker(relay.url, mail.url)
    await until(() => mail.applied.size === ORDERS, 60_000, 'every order')
    expect([...mail.applied].sort()).toEqual(expected)
    // At most the one order in flight at the kill was sent twice; the key made the second send a no-op.
    expect(mail.requests.length - ORDERS).toBeLessThanOrEqual(1)
    // Nothing more arrives: the restarted worker resumed from its checkpoint.
    const requests = mail.requests.length
    await new Promise(resolve => setTimeout(resolve, 500))
    expect(mail.requests.length).toBe(requests)
    second.child.kill('SIGTERM')
    expect(await second.exited).toBe(0)
    await log.close()
    await shop.close()
  }, 120_000)
})
