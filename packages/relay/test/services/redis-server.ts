import type { ChildProcess } from 'node:child_process'
import { existsSync, mkdtempSync, rmSync } from 'node:fs'
import { createConnection } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { freePort, waitUntil } from '@driftless/testkit/support'
import { TestServiceError, captureTail, spawnService, waitForExit } from './process.js'

const REDIS_BIN = process.env.DRIFTLESS_REDIS_SERVER ?? '/usr/bin/redis-server'

/** A throwaway redis-server on 127.0.0.1 with its own data directory. */
export interface RedisServer {
  /** e.g. `redis://127.0.0.1:6390` */
  readonly url: string
  readonly port: number
  /** Shuts down (saving the append-only file), keeping the data for `start`. */
  stop(): Promise<void>
  /** Starts the stopped server again on the same port and data; does nothing while it runs. */
  start(): Promise<void>
  /** SIGKILLs the server, as a crash would; `start` brings it back with what reached the disk. */
  crash(): Promise<void>
  /** SIGSTOPs the server: connections stay open and nothing is answered, as on a stalled host. */
  freeze(): void
  /** SIGCONTs a frozen server. */
  thaw(): void
  /** Stops the server and deletes its data. */
  destroy(): Promise<void>
}

/** Options of `startRedis`. */
export interface StartRedisOptions {
  /** Keep data in an append-only file (fsync every second). When false, a crash loses everything. @default true */
  appendOnly?: boolean
}

async function answersPing(port: number): Promise<boolean> {
  return await new Promise((resolve) => {
    const socket = createConnection({ host: '127.0.0.1', port })
    socket.setTimeout(1000)
    socket.once('connect', () => socket.write('PING\r\n'))
    socket.once('data', (data) => {
      socket.destroy()
      resolve(data.toString().startsWith('+PONG'))
    })
    socket.once('error', () => resolve(false))
    socket.once('timeout', () => {
      socket.destroy()
      resolve(false)
    })
  })
}

/**
 * Starts redis-server on a free port of 127.0.0.1, with the append-only file on (fsync every second) so
 * that a restart keeps the streams, as a production deployment would.
 */
export async function startRedis(options: StartRedisOptions = {}): Promise<RedisServer> {
  if (!existsSync(REDIS_BIN)) {
    throw new TestServiceError('missing', `${REDIS_BIN} not found: install the Debian package \`redis-server\``)
  }
  const dataDir = mkdtempSync(join(tmpdir(), 'driftless-redis-'))
  const port = await freePort()
  let child: ChildProcess | undefined

  const start = async (): Promise<void> => {
    // Running: a second server would fail on the port and orphan this one.
    if (child !== undefined && child.exitCode === null && child.signalCode === null) return
    const server = spawnService(REDIS_BIN, [
      '--port', String(port), '--bind', '127.0.0.1', '--dir', dataDir,
      '--save', '', '--appendonly', options.appendOnly === false ? 'no' : 'yes', '--appendfsync', 'everysec',
      '--daemonize', 'no', '--logfile', '',
    ], {})
    const log = captureTail(server)
    child = server
    try {
      await waitUntil(
        async () => {
          if (server.exitCode !== null) throw new TestServiceError('startFailed', `redis-server exited: ${log()}`)
          return await answersPing(port)
        },
        20_000,
        () => `redis-server to answer on port ${port} (its output: ${log()})`,
        { intervalMs: 50 },
      )
    } catch (error) {
      server.kill('SIGKILL')
      child = undefined
      throw error
    }
  }
  const stop = async (signal: NodeJS.Signals = 'SIGTERM'): Promise<void> => {
    const server = child
    child = undefined
    if (server === undefined) return
    server.kill(signal) // SIGTERM is graceful: it flushes the append-only file
    await waitForExit(server, 20_000)
  }

  await start()
  return {
    url: `redis://127.0.0.1:${port}`,
    port,
    stop: () => stop(),
    start,
    crash: () => stop('SIGKILL'),
    freeze: () => { child?.kill('SIGSTOP') },
    thaw: () => { child?.kill('SIGCONT') },
    async destroy() {
      child?.kill('SIGCONT') // a frozen server would never act on the SIGTERM
      await stop()
      rmSync(dataDir, { recursive: true, force: true })
    },
  }
}
