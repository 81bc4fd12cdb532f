// The Driftless relay with the CLI's settings (SQLite in --data, 127.0.0.1, --port), started through
// createRelay so hooks can be set: with --after-commit-noop it has an async afterCommit hook that does nothing.
// Both variants of the hooks-overhead scenario run this same script, so they differ only by the hook.
// Prints one JSON line {"msg":"listening","url":...} once it accepts connections; SIGTERM closes it.
import { join } from 'node:path'
import { parseArgs } from 'node:util'
import { createRelay } from '@driftless/relay'

const { values } = parseArgs({
  options: {
    port: { type: 'string', default: '0' },
    host: { type: 'string', default: '127.0.0.1' },
    data: { type: 'string' },
    'after-commit-noop': { type: 'boolean', default: false },
  },
})
const relay = await createRelay({
  port: Number(values.port),
  host: values.host,
  storage: { kind: 'sqlite', path: join(values.data, 'relay.db') },
  logLevel: 'warn',
  hooks: values['after-commit-noop'] ? { afterCommit: async () => {} } : {},
})
process.stdout.write(JSON.stringify({ msg: 'listening', url: relay.url }) + '\n')
process.once('SIGTERM', () => {
  relay.close().then(() => process.exit(0), () => process.exit(1))
})
