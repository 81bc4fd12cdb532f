import { execFileSync, type ChildProcess } from 'node:child_process'
import { chownSync, existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import pg from 'pg'
import { freePort, waitUntil } from '@driftless/testkit/support'
import { TestServiceError, captureTail, spawnService, waitForExit } from './process.js'

/** The OS user PostgreSQL runs as when the tests run as root (PostgreSQL refuses to run as root). */
const SERVICE_USER = 'driftless-pg'
const INSTALL_HINT = 'install the Debian package `postgresql` (apt-get install -y postgresql)'

/** A throwaway PostgreSQL server on 127.0.0.1 with its own data directory. */
export interface PostgresServer {
  /** Connection string of the `postgres` database, e.g. `postgres://postgres@127.0.0.1:5544/postgres`. */
  readonly url: string
  readonly port: number
  /** Creates an empty database and returns its connection string. */
  createDatabase(name: string): Promise<string>
  /** Fast shutdown (clients are disconnected); the data directory is kept for `start`. */
  stop(): Promise<void>
  /** Starts the stopped server again on the same port and data; does nothing while it runs. */
  start(): Promise<void>
  /** Stops the server and deletes its data. */
  destroy(): Promise<void>
}

function findBinDir(): string {
  const fromEnv = process.env.DRIFTLESS_PG_BIN
  if (fromEnv !== undefined && existsSync(join(fromEnv, 'initdb'))) return fromEnv
  const root = '/usr/lib/postgresql'
  const versions = existsSync(root)
    ? readdirSync(root).filter((v) => existsSync(join(root, v, 'bin', 'initdb'))).sort((a, b) => Number(b) - Number(a))
    : []
  const newest = versions[0]
  if (newest === undefined) {
    throw new TestServiceError('missing', `PostgreSQL binaries not found under ${root}: ${INSTALL_HINT}`)
  }
  return join(root, newest, 'bin')
}

interface RunAs { uid: number; gid: number }

/** When running as root, an unprivileged user for PostgreSQL (created once if missing). */
function serviceUser(): RunAs | undefined {
  if (process.getuid?.() !== 0) return undefined
  const id = (flag: string): number => Number(execFileSync('id', [flag, SERVICE_USER], { encoding: 'utf8' }).trim())
  try {
    return { uid: id('-u'), gid: id('-g') }
  } catch {
    execFileSync('useradd', ['--system', '--no-create-home', '--shell', '/usr/sbin/nologin', SERVICE_USER])
    return { uid: id('-u'), gid: id('-g') }
  }
}

async function canQuery(url: string): Promise<boolean> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 1000 })
  client.on('error', () => {})
  try {
    await client.connect()
    await client.query('SELECT 1')
    return true
  } catch {
    return false
  } finally {
    await client.end().catch(() => {})
  }
}

/** Starts PostgreSQL (initdb into a temp dir, then `postgres`) on a free port of 127.0.0.1. */
export async function startPostgres(): Promise<PostgresServer> {
  const bin = findBinDir()
  const runAs = serviceUser()
  const dataDir = mkdtempSync(join(tmpdir(), 'driftless-pg-'))
  if (runAs !== undefined) chownSync(dataDir, runAs.uid, runAs.gid)
  const spawnOptions = { ...(runAs ?? {}), env: { ...process.env, LC_ALL: 'C' }, cwd: dataDir }
  const init = spawnService(join(bin, 'initdb'), ['-D', dataDir, '-U', 'postgres', '--auth=trust', '-E', 'UTF8', '--no-sync'], spawnOptions)
  const initLog = captureTail(init)
  await waitForExit(init, 60_000)
  if (init.exitCode !== 0) {
    rmSync(dataDir, { recursive: true, force: true })
    throw new TestServiceError('startFailed', `initdb failed (${INSTALL_HINT}?): ${initLog()}`)
  }

  const port = await freePort()
  const url = `postgres://postgres@127.0.0.1:${port}/postgres`
  let child: ChildProcess | undefined

  const start = async (): Promise<void> => {
    // Running: a second server would fail on the port and orphan this one.
    if (child !== undefined && child.exitCode === null && child.signalCode === null) return
    const server = spawnService(join(bin, 'postgres'), [
      '-D', dataDir, '-p', String(port),
      '-c', 'listen_addresses=127.0.0.1',
      '-c', 'unix_socket_directories=',
      '-c', 'max_connections=200',
    ], spawnOptions)
    const log = captureTail(server)
    child = server
    try {
      await waitUntil(
        async () => {
          if (server.exitCode !== null) throw new TestServiceError('startFailed', `postgres exited: ${log()}`)
          return await canQuery(url)
        },
        30_000,
        () => `postgres to accept connections on port ${port} (its output: ${log()})`,
        { intervalMs: 50 },
      )
    } catch (error) {
      server.kill('SIGKILL')
      child = undefined
      throw error
    }
  }
  const stop = async (): Promise<void> => {
    const server = child
    child = undefined
    if (server === undefined) return
    server.kill('SIGINT') // fast shutdown: aborts sessions, checkpoints, exits
    await waitForExit(server, 20_000)
  }

  await start()
  return {
    url,
    port,
    async createDatabase(name) {
      if (!/^[a-z_][a-z0-9_]*$/.test(name)) throw new Error(`bad database name ${name}`)
      const client = new pg.Client({ connectionString: url })
      await client.connect()
      try {
        await client.query(`CREATE DATABASE ${name}`)
      } finally {
        await client.end()
      }
      return url.replace(/\/postgres$/, `/${name}`)
    },
    stop,
    start,
    async destroy() {
      await stop()
      rmSync(dataDir, { recursive: true, force: true })
    },
  }
}

/** Drops the tables a test created (what a fresh database per test would cost in time). */
export async function dropTables(url: string, tables: readonly string[]): Promise<void> {
  const client = new pg.Client({ connectionString: url })
  await client.connect()
  try {
    await client.query(`DROP TABLE IF EXISTS ${tables.join(', ')}`)
  } finally {
    await client.end()
  }
}
