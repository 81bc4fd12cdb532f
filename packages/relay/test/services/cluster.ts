import { once } from 'node:events'
import { setTimeout as delay } from 'node:timers/promises'
import { fileURLToPath } from 'node:url'
import { createInterface } from 'node:readline'
import { createRedisBroker, type RedisBroker } from '../../src/broker/redis.js'
import { createRelay, type Relay } from '../../src/index.js'
import { createPostgresStorage } from '../../src/storage/postgres.js'
import type { RelayStorage } from '../../src/storage/types.js'
import { spawnService, waitForExit } from './process.js'

/** Where the nodes of one test deployment keep their data: a table and a stream key prefix of their own. */
export interface Deployment {
  pgUrl: string
  table: string
  redisUrl: string
  keyPrefix: string
}

/** A relay node running in the test process. */
export interface InProcessNode {
  relay: Relay
  url: string
  storage: RelayStorage
  broker: RedisBroker
  close(): Promise<void>
}

/** Starts a relay on a free port with postgres storage and the redis broker of `deployment`. */
export async function startNode(deployment: Deployment, extra: { storageTimeoutMs?: number } = {}): Promise<InProcessNode> {
  const storage = createPostgresStorage({ url: deployment.pgUrl, table: deployment.table, timeoutMs: extra.storageTimeoutMs ?? 2000 })
  const broker = createRedisBroker({ url: deployment.redisUrl, keyPrefix: deployment.keyPrefix, storage, logger: { warn: () => {} } })
  const relay = await createRelay({ port: 0, host: '127.0.0.1', logLevel: 'silent', storage, broker })
  return {
    relay,
    url: relay.url,
    storage,
    broker,
    async close() {
      // The relay does not close a storage or broker it was handed.
      await relay.close()
      await Promise.all([storage.close(), broker.close()])
    },
  }
}

/** A relay node in a child process (started with tsx from source), so a test can SIGKILL it. */
export interface ProcessNode {
  url: string
  pid: number
  kill(signal: NodeJS.Signals): Promise<void>
}

const NODE_SCRIPT = fileURLToPath(new URL('./relay-node.ts', import.meta.url))

export async function spawnNode(deployment: Deployment): Promise<ProcessNode> {
  const child = spawnService(process.execPath, ['--conditions=source', '--import', 'tsx', NODE_SCRIPT], {
    env: {
      ...process.env,
      DRIFTLESS_TEST_PG_URL: deployment.pgUrl,
      DRIFTLESS_TEST_PG_TABLE: deployment.table,
      DRIFTLESS_TEST_REDIS_URL: deployment.redisUrl,
      DRIFTLESS_TEST_REDIS_PREFIX: deployment.keyPrefix,
    },
  })
  let stderr = ''
  child.stderr?.setEncoding('utf8')
  child.stderr?.on('data', (chunk: string) => {
    stderr = (stderr + chunk).slice(-4000)
  })
  const lines = createInterface({ input: child.stdout! })
  const first = await Promise.race([
    once(lines, 'line').then(([line]) => line as string),
    once(child, 'exit').then(() => undefined),
    delay(30_000, undefined, { ref: false }),
  ])
  if (first === undefined) {
    child.kill('SIGKILL')
    throw new Error(`relay node process did not start: ${stderr}`)
  }
  const { url } = JSON.parse(first) as { url: string }
  return {
    url,
    pid: child.pid!,
    async kill(signal) {
      child.kill(signal)
      await waitForExit(child, 10_000)
    },
  }
}
