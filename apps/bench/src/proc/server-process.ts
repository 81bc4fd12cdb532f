import { spawn, type ChildProcess } from 'node:child_process'
import { createInterface } from 'node:readline'
import { join } from 'node:path'
import { BENCH_DIR, REPO_DIR } from '../paths.js'
import { readCpuSeconds, readMemory, readRunQueueWaitSeconds, type MemorySample } from './proc-stats.js'
import { sleep, withTimeout } from '../wait.js'
import { pathToFileURL } from 'node:url'

const GC_WAIT_MS = 500

/** The servers the harness can start, each in its own process. */
export type ServerKind = 'driftless' | 'y-websocket' | 'hocuspocus'

/** How to start a server. */
export interface ServerOptions {
  /** Where it keeps its data; `undefined` runs a peer without persistence (its default). Driftless always persists. */
  dataDir: string | undefined
  /** Driftless only: the port to listen on, e.g. to restart a node where its clients expect it. @default 0 (a free port) */
  port?: number
  /** More environment for the server, e.g. DRIFTLESS_STORAGE and DRIFTLESS_BROKER for a scale-out node. @default {} */
  env?: Record<string, string>
  /** A CPU to pin the server to (`taskset -c`), so load generators on another core do not share it. @default unpinned */
  cpu?: number
  /** Extra node flags, e.g. `--cpu-prof` to profile the server. @default [] */
  nodeArgs?: string[]
  /** Driftless only: a script taking the CLI's `--port --host --data` flags instead of the CLI, plus these arguments. @default the CLI */
  script?: { path: string; args: string[] }
  /** Driftless only: more flags for the relay, e.g. `--max-messages-per-second`. @default [] */
  relayArgs?: string[]
}

/** A running server process. */
export interface ServerProcess {
  kind: ServerKind
  url: string
  pid: number
  memory(): MemorySample
  /** Asks the server to run a full GC (see servers/gc-on-signal.mjs) and waits a moment for it. */
  collectGarbage(): Promise<void>
  cpuSeconds(): number
  /** Seconds its main thread waited for a CPU so far (see readRunQueueWaitSeconds). */
  waitSeconds(): number
  /** kill -9, and wait until the process is gone. */
  kill9(): Promise<void>
  /** SIGTERM, escalating to SIGKILL after 3 s. */
  stop(): Promise<void>
}

const command = (kind: ServerKind, { dataDir, port = 0, env: extraEnv = {}, script, relayArgs = [] }: ServerOptions): { args: string[]; env: NodeJS.ProcessEnv } => {
  const env: NodeJS.ProcessEnv = { ...process.env, NODE_ENV: 'production', LOG_LEVEL: 'info', ...extraEnv }
  switch (kind) {
    case 'y-websocket':
      if (dataDir) env.YPERSISTENCE = dataDir
      return { args: [join(BENCH_DIR, 'servers', 'y-websocket-server.mjs')], env }
    case 'hocuspocus':
      return { args: [join(BENCH_DIR, 'servers', 'hocuspocus-server.mjs'), ...(dataDir ? ['--data', join(dataDir, 'hocuspocus.sqlite')] : [])], env }
    case 'driftless':
      if (!dataDir) throw new Error('the Driftless relay always needs a data directory')
      return {
        args: [script?.path ?? join(REPO_DIR, 'packages', 'relay', 'bin', 'driftless-relay.js'), '--port', String(port), '--host', '127.0.0.1', '--data', dataDir, ...(script?.args ?? []), ...relayArgs],
        env,
      }
  }
}

const exited = (child: ChildProcess): Promise<void> =>
  child.exitCode !== null || child.signalCode !== null ? Promise.resolve() : new Promise((resolve) => child.once('exit', () => resolve()))

/** Starts a server and resolves once it logged `{"msg":"listening","url":...}`. */
export const startServer = async (kind: ServerKind, options: ServerOptions): Promise<ServerProcess> => {
  const { args, env } = command(kind, options)
  const preload = pathToFileURL(join(BENCH_DIR, 'servers', 'gc-on-signal.mjs')).href
  const nodeArgs = [...(options.nodeArgs ?? []), '--expose-gc', '--import', preload, ...args]
  // taskset execs node in place, so the pid is the server's own.
  const [file, argv] = options.cpu === undefined ? [process.execPath, nodeArgs] : ['taskset', ['-c', String(options.cpu), process.execPath, ...nodeArgs]]
  const child = spawn(file, argv, { cwd: REPO_DIR, env, stdio: ['ignore', 'pipe', 'pipe'] })
  const stderr: string[] = []
  child.stderr?.on('data', (chunk: Buffer) => { if (stderr.length < 50) stderr.push(chunk.toString()) })
  const lines = createInterface({ input: child.stdout as NodeJS.ReadableStream })
  const listening = new Promise<string>((resolve, reject) => {
    lines.on('line', (line) => {
      try {
        const entry = JSON.parse(line) as { msg?: string; url?: string }
        if (entry.msg === 'listening' && entry.url) resolve(entry.url.replace('localhost', '127.0.0.1'))
      } catch { /* not a JSON log line */ }
    })
    child.once('exit', (code, signal) => reject(new Error(`${kind} server exited (${code ?? signal}) before listening: ${stderr.join('').slice(0, 500)}`)))
  })
  let url: string
  try {
    url = await withTimeout(`${kind} server start`, listening, 30_000)
  } catch (error) {
    child.kill('SIGKILL')
    throw error
  }
  const pid = child.pid as number
  return {
    kind,
    url,
    pid,
    memory: () => readMemory(pid),
    collectGarbage: async () => {
      child.kill('SIGUSR2')
      await sleep(GC_WAIT_MS)
    },
    cpuSeconds: () => readCpuSeconds(pid),
    waitSeconds: () => readRunQueueWaitSeconds(pid),
    kill9: async () => {
      child.kill('SIGKILL')
      await withTimeout(`${kind} kill -9`, exited(child), 10_000)
    },
    stop: async () => {
      child.kill('SIGTERM')
      const timer = setTimeout(() => child.kill('SIGKILL'), 3_000)
      try {
        await withTimeout(`${kind} stop`, exited(child), 10_000)
      } finally {
        clearTimeout(timer)
      }
    },
  }
}
