import { execFileSync } from 'node:child_process'
import { existsSync, readdirSync, statSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'

const packageDir = join(dirname(fileURLToPath(import.meta.url)), '..')

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

/** The `driftless-relay` CLI as installed: `bin/driftless-relay.js`, which runs `dist`. */
export const relayBin = join(packageDir, 'bin', 'driftless-relay.js')
