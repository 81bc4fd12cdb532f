/**
 * A relay node in its own process, for tests that SIGKILL one: PostgreSQL storage + Redis broker.
 * Configured by env (DRIFTLESS_TEST_PG_URL, DRIFTLESS_TEST_PG_TABLE, DRIFTLESS_TEST_REDIS_URL,
 * DRIFTLESS_TEST_REDIS_PREFIX, DRIFTLESS_TEST_PORT); prints one line `{"url":"ws://…"}` once listening.
 */
import { createRedisBroker } from '../../src/broker/redis.js'
import { createRelay } from '../../src/index.js'
import { createPostgresStorage } from '../../src/storage/postgres.js'

const env = (name: string): string => {
  const value = process.env[name]
  if (value === undefined) throw new Error(`${name} is not set`)
  return value
}

const storage = createPostgresStorage({ url: env('DRIFTLESS_TEST_PG_URL'), table: env('DRIFTLESS_TEST_PG_TABLE') })
const relay = await createRelay({
  port: Number(process.env.DRIFTLESS_TEST_PORT ?? '0'),
  host: '127.0.0.1',
  logLevel: 'silent',
  storage,
  broker: createRedisBroker({
    url: env('DRIFTLESS_TEST_REDIS_URL'),
    keyPrefix: env('DRIFTLESS_TEST_REDIS_PREFIX'),
    storage,
    logger: { warn: () => {} },
  }),
})
process.stdout.write(`${JSON.stringify({ url: relay.url })}\n`)
