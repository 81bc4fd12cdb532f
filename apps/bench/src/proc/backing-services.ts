import { execFile, execFileSync, spawn, type ChildProcess, type SpawnOptions } from 'node:child_process'
import { chownSync, existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs'
import { createConnection } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { freePort } from '@driftless/testkit/support'
import { sleep } from '../wait.js'

const REDIS_BIN = process.env.DRIFTLESS_REDIS_SERVER ?? '/usr/bin/redis-server'
const POSTGRES_ROOT = '/usr/lib/postgresql'
/** PostgreSQL refuses to run as root; when the harness is root, it runs as this existing unprivileged user. */
const POSTGRES_USER = 'driftless-pg'
const START_TIMEOUT_MS = 30_000
const STOP_TIMEOUT_MS = 10_000

/** Thrown when redis-server or PostgreSQL is not installed (`missing`) or does not come up (`startFailed`). */
export class BackingServiceError extends Error {
  readonly code: 'missing' | 'startFailed'
  constructor(code: 'missing' | 'startFailed', message: string) {
    super(message)
    this.name = 'BackingServiceError'
    this.code = code
  }
}

/** A server the relay nodes share, on 127.0.0.1, with a throwaway data directory. */
export interface BackingService {
  /** e.g. `redis://127.0.0.1:6390` or `postgres://postgres@127.0.0.1:5544/postgres` */
  url: string
  /** Stops the server (SIGKILL if it lingers) and deletes its data. */
  destroy(): Promise<void>
}

const exited = (child: ChildProcess): Promise<void> =>
  child.exitCode !== null || child.signalCode !== null ? Promise.resolve() : new Promise((resolve) => child.once('exit', () => resolve()))

/** Sends `signal`, then SIGKILL if the process is still there after STOP_TIMEOUT_MS. */
const stopProcess = async (child: ChildProcess, signal: NodeJS.Signals): Promise<void> => {
  child.kill(signal)
  const timer = setTimeout(() => child.kill('SIGKILL'), STOP_TIMEOUT_MS)
  try {
    await exited(child)
  } finally {
    clearTimeout(timer)
  }
}

const running = new Set<ChildProcess>()
let exitHookInstalled = false

/**
 * Spawns a server whose output is drained (an unread pipe would block it) and whose stderr tail is kept. It is
 * SIGKILLed if the harness exits without stopping it (e.g. process.exit after an uncaught error).
 */
const spawnServer = (command: string, args: string[], options: SpawnOptions): { child: ChildProcess; log(): string } => {
  if (!exitHookInstalled) {
    exitHookInstalled = true
    process.once('exit', () => { for (const child of running) child.kill('SIGKILL') })
  }
  const child = spawn(command, args, { ...options, stdio: ['ignore', 'pipe', 'pipe'] })
  running.add(child)
  child.once('exit', () => running.delete(child))
  let tail = ''
  child.stdout?.resume()
  child.stderr?.on('data', (chunk: Buffer) => { tail = (tail + chunk.toString()).slice(-2000) })
  return { child, log: () => tail }
}

/** Polls `ready` until it holds; throws if `child` exits or START_TIMEOUT_MS passes first (the caller stops it). */
const waitReady = async (name: string, child: ChildProcess, log: () => string, ready: () => Promise<boolean>): Promise<void> => {
  const deadline = performance.now() + START_TIMEOUT_MS
  while (performance.now() < deadline) {
    if (child.exitCode !== null || child.signalCode !== null) throw new BackingServiceError('startFailed', `${name} exited: ${log()}`)
    if (await ready()) return
    await sleep(100)
  }
  throw new BackingServiceError('startFailed', `${name} did not become ready: ${log()}`)
}

const answersPing = (port: number): Promise<boolean> =>
  new Promise((resolve) => {
    const socket = createConnection({ host: '127.0.0.1', port })
    socket.setTimeout(1_000)
    socket.once('connect', () => socket.write('PING\r\n'))
    socket.once('data', (data) => { socket.destroy(); resolve(data.toString().startsWith('+PONG')) })
    socket.once('error', () => resolve(false))
    socket.once('timeout', () => { socket.destroy(); resolve(false) })
  })

/** Starts redis-server with the append-only file fsynced every second, as docs/scale-out.md of the relay recommends. */
export const startRedis = async (): Promise<BackingService> => {
  if (!existsSync(REDIS_BIN)) throw new BackingServiceError('missing', `${REDIS_BIN} not found (Debian package redis-server)`)
  const dataDir = mkdtempSync(join(tmpdir(), 'driftless-bench-redis-'))
  const port = await freePort()
  const { child, log } = spawnServer(REDIS_BIN, [
    '--port', String(port), '--bind', '127.0.0.1', '--dir', dataDir, '--save', '',
    '--appendonly', 'yes', '--appendfsync', 'everysec', '--daemonize', 'no', '--logfile', '',
  ], {})
  const destroy = async (): Promise<void> => {
    await stopProcess(child, 'SIGTERM')
    rmSync(dataDir, { recursive: true, force: true })
  }
  try {
    await waitReady('redis-server', child, log, () => answersPing(port))
  } catch (error) {
    await destroy()
    throw error
  }
  return { url: `redis://127.0.0.1:${port}`, destroy }
}

const postgresBinDir = (): string => {
  const versions = existsSync(POSTGRES_ROOT)
    ? readdirSync(POSTGRES_ROOT).filter((v) => existsSync(join(POSTGRES_ROOT, v, 'bin', 'initdb'))).sort((a, b) => Number(b) - Number(a))
    : []
  const newest = versions[0]
  if (newest === undefined) throw new BackingServiceError('missing', `PostgreSQL not found under ${POSTGRES_ROOT} (Debian package postgresql)`)
  return join(POSTGRES_ROOT, newest, 'bin')
}

/** The uid/gid to run PostgreSQL as when the harness runs as root; it does not create users. */
const postgresRunAs = (): { uid: number; gid: number } | undefined => {
  if (process.getuid?.() !== 0) return undefined
  try {
    const id = (flag: string): number => Number(execFileSync('id', [flag, POSTGRES_USER], { encoding: 'utf8' }).trim())
    return { uid: id('-u'), gid: id('-g') }
  } catch {
    throw new BackingServiceError('missing', `running as root, and PostgreSQL refuses root: create the user ${POSTGRES_USER} (useradd --system ${POSTGRES_USER})`)
  }
}

const exitCode = (command: string, args: string[]): Promise<number> =>
  new Promise((resolve) => {
    execFile(command, args, { timeout: 5_000 }, (error) => resolve(error ? Number((error as { code?: unknown }).code ?? 1) || 1 : 0))
  })

/** Starts PostgreSQL (initdb into a temporary directory, trust auth, then `postgres`) on a free port of 127.0.0.1. */
export const startPostgres = async (): Promise<BackingService> => {
  const bin = postgresBinDir()
  const runAs = postgresRunAs()
  const dataDir = mkdtempSync(join(tmpdir(), 'driftless-bench-pg-'))
  if (runAs) chownSync(dataDir, runAs.uid, runAs.gid)
  const options: SpawnOptions = { ...(runAs ?? {}), cwd: dataDir, env: { ...process.env, LC_ALL: 'C' } }
  const removeData = (): void => rmSync(dataDir, { recursive: true, force: true })
  const init = spawnServer(join(bin, 'initdb'), ['-D', dataDir, '-U', 'postgres', '--auth=trust', '-E', 'UTF8', '--no-sync'], options)
  const initTimer = setTimeout(() => init.child.kill('SIGKILL'), 60_000)
  await exited(init.child)
  clearTimeout(initTimer)
  if (init.child.exitCode !== 0) {
    removeData()
    throw new BackingServiceError('startFailed', `initdb failed: ${init.log()}`)
  }
  const port = await freePort()
  const { child, log } = spawnServer(join(bin, 'postgres'), [
    '-D', dataDir, '-p', String(port), '-c', 'listen_addresses=127.0.0.1', '-c', 'unix_socket_directories=', '-c', 'max_connections=100',
  ], options)
  const destroy = async (): Promise<void> => {
    await stopProcess(child, 'SIGINT') // fast shutdown: disconnects the nodes' sessions
    removeData()
  }
  try {
    const isReady = join(bin, 'pg_isready')
    await waitReady('postgres', child, log, async () => (await exitCode(isReady, ['-h', '127.0.0.1', '-p', String(port), '-U', 'postgres', '-d', 'postgres'])) === 0)
  } catch (error) {
    await destroy()
    throw error
  }
  return { url: `postgres://postgres@127.0.0.1:${port}/postgres`, destroy }
}
