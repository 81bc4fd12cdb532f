import { parseArgs } from 'node:util'
import { DEFAULT_HOST, DEFAULT_PORT } from './options.js'

/** One command-line flag: the table below is the parser, `--help` and the README's CLI table at once. */
export interface CliFlag {
  /** Flag name without dashes, e.g. `port`. */
  readonly name: string
  /** Placeholder for its value (e.g. `<n>`); none for a switch. */
  readonly value?: string
  readonly help: string
  /** What applies when the flag is absent, as shown in `--help`. */
  readonly default?: string
  /** May be given several times. */
  readonly multiple?: boolean
  /** An environment variable used when the flag is absent. */
  readonly env?: string
}

/** Every flag of `driftless-relay`. Adding one is adding a line here (and reading it in `cli.ts`). */
export const cliFlags = [
  { name: 'port', value: '<n>', help: 'port to listen on; 0 picks a free one', default: String(DEFAULT_PORT) },
  { name: 'host', value: '<addr>', help: 'interface to bind (0.0.0.0 serves the network)', default: DEFAULT_HOST },
  { name: 'data', value: '<dir>', help: 'data directory; the SQLite file is <dir>/relay.db', default: './.driftless' },
  { name: 'storage', value: '<kind>', help: 'sqlite | memory | postgres://user:pass@host/db', default: 'sqlite', env: 'DRIFTLESS_STORAGE' },
  { name: 'pg-pool-size', value: '<n>', help: 'PostgreSQL connections of this node', default: '10' },
  { name: 'broker', value: '<url>', help: 'redis://host:6379: fan-out between relay nodes', default: 'one node', env: 'DRIFTLESS_BROKER' },
  { name: 'node-id', value: '<id>', help: "this node's id in the broker", default: 'random' },
  { name: 'log-level', value: '<level>', help: 'trace | debug | info | warn | error | silent', default: 'info' },
  { name: 'allowed-origin', value: '<origin>', help: 'allow this browser Origin (repeat for several)', default: 'any', multiple: true },
  { name: 'admin-token', value: '<token>', help: 'open the admin HTTP API (/v1/docs…) to this bearer token', default: 'off', env: 'DRIFTLESS_ADMIN_TOKEN' },
  { name: 'max-messages-per-second', value: '<n>', help: 'messages one connection may send per second (token bucket)', default: '1000' },
  { name: 'webhook-url', value: '<url>', help: 'POST document events to this URL (repeat for several)', default: 'none', multiple: true },
  { name: 'version', help: 'print the version and exit' },
  { name: 'help', help: 'show this text and exit' },
] as const satisfies readonly CliFlag[]

/** Environment variables read by the CLI that are not a flag's fallback. */
export const cliEnvironment = [
  { name: 'DRIFTLESS_AUTH_SECRET', help: 'HS256 secret for client tokens; without it the relay is open to everyone' },
  { name: 'DRIFTLESS_WEBHOOK_URL', help: 'webhook URLs, comma-separated, added to --webhook-url' },
  { name: 'DRIFTLESS_WEBHOOK_SECRET', help: 'HMAC-SHA256 key of the x-driftless-signature header of webhook requests' },
] as const satisfies ReadonlyArray<{ name: string; help: string }>

type FlagName = (typeof cliFlags)[number]['name']
type Multiple = Extract<(typeof cliFlags)[number], { multiple: true }>['name']
type Switch = Exclude<FlagName, Extract<(typeof cliFlags)[number], { value: string }>['name']>
/** Parsed flags: switches are booleans, repeatable flags arrays, the rest strings (env fallbacks applied). */
export type CliValues = { [K in Switch]?: boolean } & { [K in Multiple]?: string[] } & {
  [K in Exclude<FlagName, Switch | Multiple>]?: string
}

/** A command line the CLI cannot run; the message says what to change. */
export class CliUsageError extends Error {
  override readonly name = 'CliUsageError'
}

/** Parses `argv` by the flag table; unknown flags and stray arguments point at `--help`. */
export function parseCli(argv: readonly string[], env: NodeJS.ProcessEnv = process.env): CliValues {
  const options = Object.fromEntries(
    cliFlags.map((flag: CliFlag) => [flag.name, { type: flag.value === undefined ? 'boolean' : 'string', multiple: flag.multiple === true }] as const),
  )
  let values: Record<string, string | boolean | Array<string | boolean> | undefined>
  try {
    values = parseArgs({ args: [...argv], options, strict: true, allowPositionals: false }).values
  } catch (error) {
    const message = error instanceof Error ? error.message.replace(/\. To specify a positional argument.*$/s, '') : String(error)
    throw new CliUsageError(`${message}; run driftless-relay --help for the options`)
  }
  for (const flag of cliFlags as readonly CliFlag[]) {
    const fromEnv = flag.env === undefined ? undefined : env[flag.env]
    if (values[flag.name] === undefined && fromEnv !== undefined && fromEnv !== '') values[flag.name] = fromEnv
  }
  return values as CliValues
}

/** The `--help` text, generated from the tables. */
export function cliHelp(): string {
  const flags = (cliFlags as readonly CliFlag[]).map((flag) => {
    const usage = `--${flag.name}${flag.value === undefined ? '' : ` ${flag.value}`}`
    const extras = [flag.default === undefined ? '' : `default: ${flag.default}`, flag.env === undefined ? '' : `env ${flag.env}`].filter(Boolean)
    return `  ${usage.padEnd(26)} ${flag.help}${extras.length ? ` (${extras.join('; ')})` : ''}`
  })
  const environment = cliEnvironment.map((variable) => `  ${variable.name.padEnd(26)} ${variable.help}`)
  return `driftless-relay: the Driftless websocket relay\n\nUsage: driftless-relay [options]\n       driftless-relay export|import …  (backups; driftless-relay export --help)\n\nOptions:\n${flags.join('\n')}\n\nEnvironment:\n${environment.join('\n')}\n`
}
