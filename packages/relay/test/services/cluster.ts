import { once } from 'node:events'
import { setTimeout as delay } from 'node:timers/promises'
import { fileURLToPath } from 'node:url'
import { createInterface } from 'node:readline'
import { createRedisBroker, type RedisBroker } from '../../src/broker/redis.js'
import { createRelay, type Relay } from '../../src/index.js'
import { createPostgresStorage } from '../../src/storage/postgres.js'
import type { RelayStorage } from '../../src/storage/types.js'
import { spawnService, waitForExit } from './process.js'

export const DEFAULT_TABLE = 'driftless_updates'
export const DEFAULT_PREFIX = 'driftless:doc:'

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
export async function startNode(
  deployment: Deployment,
  extra: { storageTimeoutMs?: number; wrapStorage?: (storage: RelayStorage) => RelayStorage } = {},
): Promise<InProcessNode> {
  const postgres = createPostgresStorage({ url: deployment.pgUrl, table: deployment.table, timeoutMs: extra.storageTimeoutMs ?? 2000 })
  const storage = extra.wrapStorage?.(postgres) ?? postgres
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

/** A relay node in a child process: the `driftless-relay` CLI run from source, so a test can SIGKILL it. */
export interface ProcessNode {
  url: string
  pid: number
  kill(signal: NodeJS.Signals): Promise<void>
}

const CLI = fileURLToPath(new URL('../../src/cli.ts', import.meta.url))

/**
 * Starts `driftless-relay --storage <postgres url> --broker <redis url>`. The CLI uses the default table and
 * stream key prefix, so `deployment` must too (`defaultDeployment`).
 */
export async function spawnNode(deployment: Deployment): Promise<ProcessNode> {
  if (deployment.table !== DEFAULT_TABLE || deployment.keyPrefix !== DEFAULT_PREFIX) {
    throw new Error('a CLI node uses the default table and key prefix')
  }
  const child = spawnService(process.execPath, [
    '--conditions=@driftless/source', '--import', 'tsx', CLI, '--port', '0', '--host', '127.0.0.1', '--log-level', 'warn',
    '--broker', deployment.redisUrl,
  ], { env: { ...process.env, DRIFTLESS_STORAGE: deployment.pgUrl } })
  let stderr = ''
  child.stderr?.setEncoding('utf8')
  child.stderr?.on('data', (chunk: string) => {
    stderr = (stderr + chunk).slice(-4000)
  })
  const lines = createInterface({ input: child.stdout! })
  const listening = new Promise<string>((resolve) => {
    lines.on('line', (line: string) => {
      const entry = JSON.parse(line) as { msg?: string; url?: string }
      if (entry.msg === 'listening' && entry.url !== undefined) resolve(entry.url)
    })
  })
  const url = await Promise.race([listening, once(child, 'exit').then(() => undefined), delay(30_000, undefined, { ref: false })])
  if (url === undefined) {
    child.kill('SIGKILL')
    throw new Error(`relay CLI did not start: ${stderr}`)
  }
  return {
    url,
    pid: child.pid!,
    async kill(signal) {
      child.kill(signal)
      await waitForExit(child, 10_000)
    },
  }
}
