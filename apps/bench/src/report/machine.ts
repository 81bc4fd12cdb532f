import { execFileSync } from 'node:child_process'
import { existsSync, readFileSync } from 'node:fs'
import { cpus, release, totalmem, type } from 'node:os'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'

/** The machine and software a run was measured on. */
export interface MachineInfo {
  cpuModel: string
  cores: number
  memoryGiB: number
  os: string
  node: string
  chromium: string
  packages: Record<string, string>
}

// Several packages do not export ./package.json, so look it up in node_modules folders directly.
const packageVersion = (name: string): string => {
  for (let dir = dirname(fileURLToPath(import.meta.url)); dir !== dirname(dir); dir = dirname(dir)) {
    const path = join(dir, 'node_modules', name, 'package.json')
    if (existsSync(path)) return (JSON.parse(readFileSync(path, 'utf8')) as { version: string }).version
  }
  return 'not installed'
}

const BENCHED_PACKAGES = [
  'yjs', 'y-websocket', '@y/websocket-server', '@hocuspocus/server', '@hocuspocus/provider',
  '@hocuspocus/extension-sqlite', 'y-indexeddb', 'playwright-core',
  '@driftless/relay', '@driftless/replica', '@driftless/events',
]

/** Reads CPU, RAM, Node, Chromium and benchmarked package versions. */
export const describeMachine = (chromiumPath: string): MachineInfo => {
  let chromium = 'not found'
  try {
    chromium = execFileSync(chromiumPath, ['--version'], { encoding: 'utf8', timeout: 10_000, stdio: ['ignore', 'pipe', 'ignore'] }).trim()
  } catch { /* reported as not found */ }
  return {
    cpuModel: cpus()[0]?.model ?? 'unknown',
    cores: cpus().length,
    memoryGiB: totalmem() / 2 ** 30,
    os: `${type()} ${release()}`,
    node: process.version,
    chromium,
    packages: Object.fromEntries(BENCHED_PACKAGES.map((name) => [name, packageVersion(name)])),
  }
}
