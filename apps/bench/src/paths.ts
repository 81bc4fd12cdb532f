import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'

/** apps/bench */
export const BENCH_DIR = join(dirname(fileURLToPath(import.meta.url)), '..')
/** The repository root. */
export const REPO_DIR = join(BENCH_DIR, '..', '..')
/** Cached inputs that are slow to build (gitignored). */
export const CACHE_DIR = join(BENCH_DIR, '.cache')
/** Debian's Chromium, driven by playwright-core. */
export const CHROMIUM_PATH = process.env.DRIFTLESS_CHROMIUM ?? '/usr/bin/chromium'
/** The flags every Chromium launch uses here. */
export const CHROMIUM_ARGS = [
  '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
  '--disable-background-networking', '--disable-component-update', '--disable-sync',
]
