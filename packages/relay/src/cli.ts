import { join, resolve } from 'node:path'
import { parseArgs } from 'node:util'
import { pino, type LevelWithSilent } from 'pino'
import { createRelay } from './relay.js'
import { DEFAULT_HOST, DEFAULT_PORT, type RelayOptions } from './options.js'

const HELP = `driftless-relay: the Driftless websocket relay

Options:
  --port <n>             port to listen on; 0 picks a free one        (default ${DEFAULT_PORT})
  --host <addr>          interface to bind                             (default ${DEFAULT_HOST})
  --data <dir>           data directory; SQLite file <dir>/relay.db    (default ./.driftless)
  --storage <kind>       sqlite | memory | postgres://user:pass@host/db (default sqlite)
  --pg-pool-size <n>     PostgreSQL connections of this node          (default 10)
  --broker <url>         redis://host:6379: fan-out between relay nodes (default: one node)
  --node-id <id>         this node's id in the broker                  (default random)
  --log-level <level>    trace | debug | info | warn | error | silent  (default info)
  --allowed-origin <o>   allow this browser Origin (repeatable; default: any)
  --webhook-url <url>    POST document events to this URL (repeatable)
  --help                 show this text

Environment:
  DRIFTLESS_AUTH_SECRET  HS256 secret for client tokens (without it the relay is open to everyone)
  DRIFTLESS_STORAGE      like --storage (the flag wins); keeps a database password off the command line
  DRIFTLESS_BROKER       like --broker (the flag wins)
  DRIFTLESS_WEBHOOK_URL  webhook URLs, comma-separated (added to --webhook-url)
  DRIFTLESS_WEBHOOK_SECRET  HMAC-SHA256 key signing webhook requests (x-driftless-signature)
`

/** Runs the CLI: starts a relay, logs one JSON line `{"msg":"listening","url":...}`, stops on SIGTERM/SIGINT. */
export const main = async (argv: string[]): Promise<void> => {
  const { values } = parseArgs({
    args: argv,
    options: {
      port: { type: 'string' },
      host: { type: 'string' },
      data: { type: 'string' },
      storage: { type: 'string' },
      'pg-pool-size': { type: 'string' },
      broker: { type: 'string' },
      'node-id': { type: 'string' },
      'log-level': { type: 'string' },
      'allowed-origin': { type: 'string', multiple: true },
      'webhook-url': { type: 'string', multiple: true },
      help: { type: 'boolean' },
    },
  })
  if (values.help === true) {
    process.stdout.write(HELP)
    return
  }
  const logger = pino({ level: (values['log-level'] ?? 'info') as LevelWithSilent })
  const port = Number(values.port ?? DEFAULT_PORT)
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new Error(`invalid --port ${values.port}`)
  const env = (name: string): string | undefined => process.env[name] === '' ? undefined : process.env[name]
  const storageArg = values.storage ?? env('DRIFTLESS_STORAGE') ?? 'sqlite'
  const postgresUrl = /^postgres(ql)?:\/\//.test(storageArg) ? storageArg : undefined
  const kind = postgresUrl === undefined ? storageArg : 'postgres'
  if (postgresUrl === undefined && kind !== 'sqlite' && kind !== 'memory') {
    throw new Error(`invalid --storage ${kind} (sqlite | memory | postgres://…)`)
  }
  const poolSize = values['pg-pool-size'] === undefined ? undefined : Number(values['pg-pool-size'])
  const brokerUrl = values.broker ?? env('DRIFTLESS_BROKER')
  if (brokerUrl !== undefined && !/^rediss?:\/\//.test(brokerUrl)) throw new Error('invalid --broker (redis://host:port)')
  const dataDir = resolve(values.data ?? '.driftless')
  const options: RelayOptions = {
    port,
    host: values.host ?? DEFAULT_HOST,
    storage: postgresUrl !== undefined ? { kind: 'postgres', url: postgresUrl, poolSize }
      : kind === 'memory' ? { kind: 'memory' } : { kind: 'sqlite', path: join(dataDir, 'relay.db') },
    logger,
  }
  const secret = process.env['DRIFTLESS_AUTH_SECRET']
  if (secret !== undefined && secret !== '') options.auth = { secret }
  if (values['allowed-origin'] !== undefined) options.allowedOrigins = values['allowed-origin']
  const webhookUrls = [...(values['webhook-url'] ?? []), ...(env('DRIFTLESS_WEBHOOK_URL') ?? '').split(',').map(url => url.trim()).filter(url => url !== '')]
  if (webhookUrls.length > 0) {
    options.webhookUrls = webhookUrls
    options.webhookSecret = env('DRIFTLESS_WEBHOOK_SECRET')
  }
  if (brokerUrl !== undefined) options.broker = { kind: 'redis', url: brokerUrl, nodeId: values['node-id'] }
  const relay = await createRelay(options)
  // Scripts wait for this line, so it is printed whatever the log level.
  const announcer = logger.isLevelEnabled('info') ? logger : pino({ level: 'info' })
  // Never log the URLs themselves: they may hold passwords.
  const storageName = kind === 'postgres' ? 'postgres' : kind === 'memory' ? 'memory' : join(dataDir, 'relay.db')
  announcer.info({ url: relay.url, storage: storageName, broker: brokerUrl === undefined ? 'local' : 'redis' }, 'listening')

  let stopping = false
  const stop = (signal: string): void => {
    if (stopping) return
    stopping = true
    logger.info({ signal }, 'shutting down')
    relay.close().then(
      () => process.exit(0),
      (error: unknown) => {
        logger.error({ err: error }, 'shutdown failed')
        process.exit(1)
      },
    )
  }
  process.on('SIGTERM', () => stop('SIGTERM'))
  process.on('SIGINT', () => stop('SIGINT'))
}

main(process.argv.slice(2)).catch((error: unknown) => {
  process.stderr.write(`driftless-relay: ${error instanceof Error ? error.message : String(error)}\n`)
  process.exit(1)
})
