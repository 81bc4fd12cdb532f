import { spawn, type ChildProcess } from 'node:child_process'
import { existsSync, readFileSync } from 'node:fs'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { dirname, join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { startProxy, type TcpProxy } from './proxy.js'

/** Thrown when the relay process cannot be found, fails to start, or exits before listening. */
export class RelayProcessError extends Error {
  constructor(
    readonly code: 'bin-not-found' | 'start-timeout' | 'exited-early',
    message: string,
  ) {
    super(message)
    this.name = 'RelayProcessError'
  }
}

/** Options of {@link startRelay}. */
export interface RelayProcessOptions {
  /** Path of the `driftless-relay` CLI. @default the `bin` of the installed `@driftless/relay` */
  bin?: string
  /** Data directory; kept across restarts. @default a fresh temporary directory, removed by `dispose()` */
  dataDir?: string
  /** Extra CLI arguments, e.g. `['--storage', 'memory']`. @default [] */
  args?: string[]
  /** Extra environment variables for the process. @default {} */
  env?: Record<string, string>
  /** How long to wait for the `listening` log line. @default 20000 */
  startTimeoutMs?: number
  /**
   * Node.js options placed before `bin`, e.g. `['--import', 'tsx']` to run a CLI
   * from TypeScript source. @default []
   */
  nodeArgs?: string[]
}

/** How a relay process ended: its exit code, or the signal that ended it. */
export interface RelayExit {
  code: number | null
  signal: NodeJS.Signals | null
}

/**
 * A real relay process started from the CLI on port 0. Clients should reach it through
 * {@link RelayProcess.createProxy}: the proxy's address stays the same across `kill()` + `restart()`,
 * while the relay's own port changes.
 */
export interface RelayProcess {
  /** The relay's own websocket URL (changes on restart). */
  readonly url: string
  /** The relay's own port (changes on restart). */
  readonly port: number
  /** The data directory, kept across restarts. */
  readonly dataDir: string
  /** Whether the process is up and listening. */
  readonly running: boolean
  /** Every line the process wrote to stdout and stderr, across restarts. */
  readonly logs: readonly string[]
  /** The running process's id; `undefined` while it is down. */
  readonly pid: number | undefined
  /** How the last process ended; `undefined` until one has. */
  readonly lastExit: RelayExit | undefined
  /** SIGKILL: no graceful shutdown, nothing flushed that was not already committed. Resolves on exit. */
  kill(): Promise<void>
  /** SIGTERM: graceful shutdown. Resolves on exit. */
  stop(): Promise<void>
  /** Starts the relay again on the same data directory (stopping it gracefully first if it runs). */
  restart(): Promise<void>
  /** A TCP proxy to this relay that follows it across restarts; closed by `dispose()`. */
  createProxy(): Promise<TcpProxy>
  /** Stops the process, closes every proxy, and removes the data directory if the kit created it. */
  dispose(): Promise<void>
}

/** Finds the `driftless-relay` CLI of the `@driftless/relay` package installed next to this one. */
export function findRelayBin(from: string = dirname(fileURLToPath(import.meta.url))): string {
  for (let dir = resolve(from); ; dir = dirname(dir)) {
    const manifest = join(dir, 'node_modules', '@driftless', 'relay', 'package.json')
    if (existsSync(manifest)) {
      const { bin } = JSON.parse(readFileSync(manifest, 'utf8')) as { bin?: string | Record<string, string> }
      const relative = typeof bin === 'string' ? bin : bin?.['driftless-relay']
      if (relative) return join(dirname(manifest), relative)
    }
    if (dirname(dir) === dir) break
  }
  throw new RelayProcessError('bin-not-found', 'cannot find the driftless-relay CLI: is @driftless/relay installed?')
}

interface ListeningLine {
  msg?: unknown
  url?: unknown
}

/** Starts the relay CLI with `--port 0 --host 127.0.0.1` on a data directory; resolves once it listens. */
export async function startRelay(options: RelayProcessOptions = {}): Promise<RelayProcess> {
  const bin = options.bin ?? findRelayBin()
  const ownsDataDir = options.dataDir === undefined
  const dataDir = options.dataDir ?? (await mkdtemp(join(tmpdir(), 'driftless-relay-')))
  const logs: string[] = []
  const proxies: TcpProxy[] = []
  let child: ChildProcess | undefined
  let url = ''
  let port = 0
  let lastExit: RelayExit | undefined

  const launch = async (): Promise<void> => {
    const args = [...(options.nodeArgs ?? []), bin, '--port', '0', '--host', '127.0.0.1', '--data', dataDir, ...(options.args ?? [])]
    const proc = spawn(process.execPath, args, {
      env: { ...process.env, ...options.env },
      stdio: ['ignore', 'pipe', 'pipe'],
    })
    child = proc
    const exited = new Promise<void>((resolve) => proc.once('exit', (code, signal) => {
      lastExit = { code, signal }
      resolve()
    }))
    exitedBy.set(proc, exited)
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => {
        proc.kill('SIGKILL')
        reject(new RelayProcessError('start-timeout', `relay did not log "listening" in time:\n${logs.join('\n')}`))
      }, options.startTimeoutMs ?? 20_000)
      const onLine = (line: string): void => {
        logs.push(line)
        let parsed: ListeningLine
        try {
          parsed = JSON.parse(line) as ListeningLine
        } catch {
          return
        }
        if (parsed.msg === 'listening' && typeof parsed.url === 'string') {
          url = parsed.url
          port = Number(new URL(parsed.url).port)
          clearTimeout(timer)
          resolve()
        }
      }
      splitLines(proc.stdout, onLine)
      splitLines(proc.stderr, onLine)
      proc.once('exit', (code, signal) => {
        clearTimeout(timer)
        if (child === proc) child = undefined
        reject(new RelayProcessError('exited-early', `relay exited (${code ?? signal}) before listening:\n${logs.join('\n')}`))
      })
    })
  }

  const exitedBy = new WeakMap<ChildProcess, Promise<void>>()
  const terminate = async (signal: NodeJS.Signals): Promise<void> => {
    const proc = child
    if (!proc) return
    child = undefined
    proc.kill(signal)
    // A graceful stop that hangs must not hang the test run.
    const escalate = setTimeout(() => proc.kill('SIGKILL'), 5_000)
    await exitedBy.get(proc)
    clearTimeout(escalate)
  }

  await launch()

  return {
    get url() {
      return url
    },
    get port() {
      return port
    },
    dataDir,
    get running() {
      return child !== undefined
    },
    logs,
    get pid() {
      return child?.pid
    },
    get lastExit() {
      return lastExit
    },
    kill: () => terminate('SIGKILL'),
    stop: () => terminate('SIGTERM'),
    async restart() {
      await terminate('SIGTERM')
      await launch()
    },
    async createProxy() {
      const proxy = await startProxy({ target: () => (child ? { host: '127.0.0.1', port } : undefined) })
      proxies.push(proxy)
      return proxy
    },
    async dispose() {
      await Promise.all(proxies.map((proxy) => proxy.close()))
      await terminate('SIGTERM')
      if (ownsDataDir) await rm(dataDir, { recursive: true, force: true })
    },
  }
}

function splitLines(stream: NodeJS.ReadableStream | null, onLine: (line: string) => void): void {
  if (!stream) return
  let buffered = ''
  stream.setEncoding('utf8')
  stream.on('data', (chunk: string) => {
    buffered += chunk
    let newline = buffered.indexOf('\n')
    while (newline >= 0) {
      const line = buffered.slice(0, newline).trimEnd()
      buffered = buffered.slice(newline + 1)
      if (line) onLine(line)
      newline = buffered.indexOf('\n')
    }
  })
}
