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
  --storage <kind>       sqlite | memory                               (default sqlite)
  --log-level <level>    trace | debug | info | warn | error | silent  (default info)
  --allowed-origin <o>   allow this browser Origin (repeatable; default: any)
  --help                 show this text

Environment:
  DRIFTLESS_AUTH_SECRET  HS256 secret for client tokens (without it the relay is open to everyone)
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
      'log-level': { type: 'string' },
      'allowed-origin': { type: 'string', multiple: true },
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
  const kind = values.storage ?? 'sqlite'
  if (kind !== 'sqlite' && kind !== 'memory') throw new Error(`invalid --storage ${kind} (sqlite | memory)`)
  const dataDir = resolve(values.data ?? '.driftless')
  const options: RelayOptions = {
    port,
    host: values.host ?? DEFAULT_HOST,
    storage: kind === 'memory' ? { kind } : { kind, path: join(dataDir, 'relay.db') },
    logger,
  }
  const secret = process.env['DRIFTLESS_AUTH_SECRET']
  if (secret !== undefined && secret !== '') options.auth = { secret }
  if (values['allowed-origin'] !== undefined) options.allowedOrigins = values['allowed-origin']
  const relay = await createRelay(options)
  // Scripts wait for this line, so it is printed whatever the log level.
  const announcer = logger.isLevelEnabled('info') ? logger : pino({ level: 'info' })
  announcer.info({ url: relay.url, storage: kind === 'memory' ? 'memory' : join(dataDir, 'relay.db') }, 'listening')

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
