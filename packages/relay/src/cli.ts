import { mkdirSync, accessSync, constants } from 'node:fs'
import { createRequire } from 'node:module'
import { join, resolve } from 'node:path'
import { pino, type LevelWithSilent } from 'pino'
import { runBackupCommand } from './cli-backup.js'
import { CliUsageError, cliHelp, parseCli } from './cli-options.js'
import { createRelay } from './relay.js'
import { DEFAULT_HOST, DEFAULT_PORT, type RelayOptions } from './options.js'

const { version } = createRequire(import.meta.url)('../package.json') as { version: string }

/** Makes sure the data directory exists and is writable, naming the path if it is not. */
const prepareDataDir = (dir: string): void => {
  try {
    mkdirSync(dir, { recursive: true })
    accessSync(dir, constants.W_OK)
  } catch (error) {
    const reason = (error as { code?: string }).code ?? (error as Error).message
    throw new CliUsageError(`cannot write the data directory ${dir} (${reason}): pass a writable one with --data <dir>`)
  }
}

/** Turns the errors a user can fix while starting into messages that name the path, port or flag. */
const explainStartError = (error: unknown, port: number, host: string, dbFile: string | undefined): unknown => {
  const code = (error as { code?: string }).code
  if ((error as Error).name === 'WebhookConfigError') return new CliUsageError(`${(error as Error).message} (--webhook-url, DRIFTLESS_WEBHOOK_URL)`)
  if (code === 'EADDRINUSE') return new CliUsageError(`port ${port} on ${host} is already in use: choose another with --port <n> (0 picks a free one)`)
  if (code === 'EADDRNOTAVAIL') return new CliUsageError(`cannot bind ${host}: choose another interface with --host <addr>`)
  if (code === 'EACCES' && port < 1024) return new CliUsageError(`port ${port} needs privileges: choose a port above 1023 with --port <n>`)
  if (dbFile !== undefined && (code === 'SQLITE_CANTOPEN' || /unable to open database file/.test(String((error as Error).message)))) {
    return new CliUsageError(`cannot open the SQLite file ${dbFile}: check that its directory is writable, or pass another with --data <dir>`)
  }
  return error
}

/** Runs the CLI: starts a relay, logs one JSON line `{"msg":"listening","url":...}`, stops on SIGTERM/SIGINT. */
export const main = async (argv: string[]): Promise<void> => {
  if (argv[0] === 'export' || argv[0] === 'import') return runBackupCommand(argv[0], argv.slice(1))
  const values = parseCli(argv)
  if (values.help === true) return void process.stdout.write(cliHelp())
  if (values.version === true) return void process.stdout.write(`${version}\n`)
  const logger = pino({ level: (values['log-level'] ?? 'info') as LevelWithSilent })
  const port = Number(values.port ?? DEFAULT_PORT)
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new CliUsageError(`invalid --port ${values.port} (0 to 65535)`)
  const host = values.host ?? DEFAULT_HOST
  const storageArg = values.storage ?? 'sqlite'
  const postgresUrl = /^postgres(ql)?:\/\//.test(storageArg) ? storageArg : undefined
  const kind = postgresUrl === undefined ? storageArg : 'postgres'
  if (postgresUrl === undefined && kind !== 'sqlite' && kind !== 'memory') {
    throw new CliUsageError(`invalid --storage ${kind} (sqlite | memory | postgres://…)`)
  }
  const poolSize = values['pg-pool-size'] === undefined ? undefined : Number(values['pg-pool-size'])
  if (poolSize !== undefined && !(Number.isInteger(poolSize) && poolSize > 0)) throw new CliUsageError(`invalid --pg-pool-size ${values['pg-pool-size']} (a positive integer)`)
  const messageRate = values['max-messages-per-second'] === undefined ? undefined : Number(values['max-messages-per-second'])
  if (messageRate !== undefined && !(Number.isInteger(messageRate) && messageRate > 0)) {
    throw new CliUsageError(`invalid --max-messages-per-second ${values['max-messages-per-second']} (a positive integer)`)
  }
  const brokerUrl = values.broker
  if (brokerUrl !== undefined && !/^rediss?:\/\//.test(brokerUrl)) throw new CliUsageError('invalid --broker (redis://host:port)')
  const dataDir = resolve(values.data ?? '.driftless')
  const dbFile = kind === 'sqlite' ? join(dataDir, 'relay.db') : undefined
  if (dbFile !== undefined) prepareDataDir(dataDir)
  const options: RelayOptions = {
    port,
    host,
    storage: postgresUrl !== undefined ? { kind: 'postgres', url: postgresUrl, poolSize }
      : dbFile === undefined ? { kind: 'memory' } : { kind: 'sqlite', path: dbFile },
    logger,
  }
  const secret = process.env['DRIFTLESS_AUTH_SECRET']
  if (secret !== undefined && secret !== '') options.auth = { secret }
  if (values['allowed-origin'] !== undefined) options.allowedOrigins = values['allowed-origin']
  if (values['admin-token'] !== undefined) options.admin = { token: values['admin-token'] }
  if (messageRate !== undefined) options.maxMessagesPerSecond = messageRate
  const webhookUrls = [...(values['webhook-url'] ?? []), ...(process.env['DRIFTLESS_WEBHOOK_URL'] ?? '').split(',')]
    .map(url => url.trim()).filter(url => url !== '')
  if (webhookUrls.length > 0) {
    options.webhookUrls = webhookUrls
    options.webhookSecret = process.env['DRIFTLESS_WEBHOOK_SECRET']
  }
  if (brokerUrl !== undefined) options.broker = { kind: 'redis', url: brokerUrl, nodeId: values['node-id'] }
  const relay = await createRelay(options).catch((error: unknown) => {
    throw explainStartError(error, port, host, dbFile)
  })
  // Scripts wait for this line, so it is printed whatever the log level.
  const announcer = logger.isLevelEnabled('info') ? logger : pino({ level: 'info' })
  // Never log the URLs themselves: they may hold passwords.
  const storageName = kind === 'postgres' ? 'postgres' : dbFile ?? 'memory'
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
  // A usage error is the user's to fix: exit 2, like other CLIs; anything else is a failure (1).
  process.exit(error instanceof CliUsageError ? 2 : 1)
})
