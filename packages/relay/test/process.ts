import { execFileSync, spawn, type ChildProcess } from 'node:child_process'
import { existsSync, readdirSync, statSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { createInterface } from 'node:readline'
import { fileURLToPath } from 'node:url'

const packageDir = join(dirname(fileURLToPath(import.meta.url)), '..')
const bin = join(packageDir, 'bin', 'driftless-relay.js')

const newestMtime = (dir: string): number => {
  let newest = 0
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name)
    newest = Math.max(newest, entry.isDirectory() ? newestMtime(path) : statSync(path).mtimeMs)
  }
  return newest
}

/**
 * The CLI runs from `dist`; rebuild it when it is missing or older than `src`, so a process test never
 * exercises stale code.
 */
export const ensureBuilt = (): void => {
  const cli = join(packageDir, 'dist', 'cli.js')
  if (existsSync(cli) && statSync(cli).mtimeMs >= newestMtime(join(packageDir, 'src'))) return
  const tsc = join(packageDir, '..', '..', 'node_modules', '.bin', 'tsc')
  execFileSync(tsc, ['-p', join(packageDir, 'tsconfig.build.json')], { stdio: 'inherit' })
}

export interface RelayProcess {
  child: ChildProcess
  url: string
  /** Every JSON log line printed so far. */
  logs: Record<string, unknown>[]
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>
}

/** Spawns `driftless-relay` and resolves once it logged `listening` with its url. */
export const spawnRelay = async (args: string[], env: NodeJS.ProcessEnv = {}): Promise<RelayProcess> => {
  const child = spawn(process.execPath, [bin, '--port', '0', ...args], {
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'inherit'],
  })
  const logs: Record<string, unknown>[] = []
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>(resolve => {
    child.once('exit', (code, signal) => resolve({ code, signal }))
  })
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL')
      reject(new Error('relay did not log "listening" in time'))
    }, 15_000)
    createInterface({ input: child.stdout! }).on('line', line => {
      let entry: Record<string, unknown>
      try {
        entry = JSON.parse(line) as Record<string, unknown>
      } catch {
        return
      }
      logs.push(entry)
      if (entry['msg'] === 'listening' && typeof entry['url'] === 'string') {
        clearTimeout(timer)
        resolve(entry['url'])
      }
    })
    void exited.then(({ code }) => {
      clearTimeout(timer)
      reject(new Error(`relay exited with ${code} before listening`))
    })
  })
  return { child, url, logs, exited }
}
