// What @driftless/replica and @driftless/react add to a browser bundle: one definition of the measured entries,
// shared by the report (`npm run size`) and the budget test (test/bundle-size.test.ts).
import { build } from 'esbuild'
import { fileURLToPath } from 'node:url'
import { gzipSync } from 'node:zlib'

const here = fileURLToPath(new URL('.', import.meta.url))

/** Sizes in bytes of one minified bundle. */
export interface BundleSize {
  raw: number
  gzip: number
  /** Copies of Yjs in the bundle, counted by Yjs's own "already imported" guard. */
  yjsCopies: number
}

/**
 * Bundles `source` as a production app bundler would for browsers (minified ESM, tree-shaken, `sideEffects`
 * honoured, `process.env.NODE_ENV` = production), leaving out `external`, and measures it (gzip -9).
 */
export async function measure(source: string, external: readonly string[]): Promise<BundleSize> {
  const result = await build({
    stdin: { contents: source, resolveDir: here, loader: 'ts' },
    bundle: true, minify: true, format: 'esm', platform: 'browser', write: false, treeShaking: true,
    external: [...external], conditions: ['@driftless/source'], define: { 'process.env.NODE_ENV': '"production"' },
    logLevel: 'error',
  })
  const code = result.outputFiles[0]!.contents
  const yjsCopies = new TextDecoder().decode(code).split('Yjs was already imported').length - 1
  return { raw: code.length, gzip: gzipSync(code, { level: 9 }).length, yjsCopies }
}

const hooks = 'ReplicaProvider, useReplica, useStatus, usePending, useSaved, useSynced, useLoaded, useLeader, usePresence, useY, useReplicaError'
const replicaAndReact = `export { ${hooks} } from '@driftless/react'; export { openReplica } from '@driftless/replica'`

/** One measured bundle: its source, what it leaves out, and (for ours) the most gzip bytes it may reach. */
export interface Entry {
  source: string
  external: readonly string[]
  budget?: number
}

/**
 * The bundles we report. Budgets are the documented ceilings (README, "Bundle size") that the budget test holds
 * us to; the targets (replica ≤ 10 KiB, react ≤ 3 KiB) are below them where not met yet.
 */
export const entries = {
  replica: { source: `export { openReplica } from '@driftless/replica'`, external: ['yjs'], budget: 14.5 * 1024 },
  react: { source: `export { ${hooks} } from '@driftless/react'`, external: ['yjs', 'react', '@driftless/replica'], budget: 3 * 1024 },
  'replica + react': { source: replicaAndReact, external: ['yjs', 'react'], budget: 16.5 * 1024 },
  'y-websocket + y-indexeddb': {
    source: `export { WebsocketProvider } from 'y-websocket'; export { IndexeddbPersistence } from 'y-indexeddb'`,
    external: ['yjs'],
  },
} satisfies Record<string, Entry>

/** The same with Yjs bundled: what each adds on top of Yjs itself, lib0 and y-protocols being shared as in an app. */
export const withYjs = {
  'yjs alone': { source: `export * from 'yjs'`, external: ['react'] },
  'yjs + replica + react': { source: `export * from 'yjs'; ${replicaAndReact}`, external: ['react'] },
  'yjs + y-websocket + y-indexeddb': {
    source: `export * from 'yjs'; export { WebsocketProvider } from 'y-websocket'; export { IndexeddbPersistence } from 'y-indexeddb'`,
    external: ['react'],
  },
} satisfies Record<string, Entry>

/** `1234` bytes as `1.2 KiB`. */
export const kib = (bytes: number): string => `${(bytes / 1024).toFixed(1)} KiB`
