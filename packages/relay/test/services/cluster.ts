import { fileURLToPath } from 'node:url'
import { startRelay } from '@driftless/testkit/support'
import { createRedisBroker, type RedisBroker } from '../../src/broker/redis.js'
import { createRelay, type Relay } from '../../src/index.js'
import { createPostgresStorage } from '../../src/storage/postgres.js'
import type { RelayStorage } from '../../src/storage/types.js'

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
  const node = await startRelay({
    bin: CLI,
    nodeArgs: ['--conditions=@driftless/source', '--import', 'tsx'],
    args: ['--log-level', 'warn', '--broker', deployment.redisUrl],
    env: { DRIFTLESS_STORAGE: deployment.pgUrl },
    startTimeoutMs: 30_000,
  })
  return {
    url: node.url,
    pid: node.pid!,
    kill: (signal) => (signal === 'SIGKILL' ? node.kill() : node.stop()).then(() => node.dispose()),
  }
}
