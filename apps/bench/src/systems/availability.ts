import { execFile } from 'node:child_process'
import { existsSync } from 'node:fs'
import { join } from 'node:path'
import { promisify } from 'node:util'
import { REPO_DIR } from '../paths.js'
import { driftlessClients, loadReplica } from './driftless.js'
import type { ClientSystem } from './types.js'

const run = promisify(execFile)

/**
 * Builds a Driftless package's dist with tsc. When the source does not build (work in progress) but an earlier
 * dist exists, that dist is used and the failure is only logged; otherwise rejects with tsc's first lines.
 */
const build = async (pkg: string, log: (message: string) => void): Promise<void> => {
  try {
    await run('npx', ['tsc', '-p', join('packages', pkg, 'tsconfig.build.json')], { cwd: REPO_DIR, timeout: 300_000 })
  } catch (error) {
    const output = (error as { stdout?: string }).stdout ?? String(error)
    const message = `@driftless/${pkg} does not build: ${output.split('\n').slice(0, 2).join(' ')}`
    if (!existsSync(join(REPO_DIR, 'packages', pkg, 'dist', 'index.js'))) throw new Error(message)
    log(`${message}; using its previous dist`)
  }
}

/** Driftless's Node clients once its relay and replica build and load, or why not. */
export const prepareDriftless = async (
  options: { build: boolean; log(message: string): void },
): Promise<{ clients: ClientSystem } | { unavailable: string }> => {
  try {
    if (!existsSync(join(REPO_DIR, 'packages', 'relay', 'bin', 'driftless-relay.js'))) throw new Error('the driftless-relay CLI is not there yet')
    if (options.build) {
      for (const pkg of ['protocol', 'relay', 'replica']) {
        options.log(`building @driftless/${pkg}`)
        await build(pkg, options.log)
      }
    }
    if (options.build) {
      // The events scenario reports its own failure to load; a broken events build must not hide the relay.
      await build('events', options.log).catch((error: unknown) => options.log(String(error)))
    }
    return { clients: driftlessClients(await loadReplica()) }
  } catch (error) {
    if ((error as { code?: string }).code === 'ERR_MODULE_NOT_FOUND') return { unavailable: '@driftless/replica is not built yet' }
    return { unavailable: error instanceof Error ? error.message : String(error) }
  }
}
