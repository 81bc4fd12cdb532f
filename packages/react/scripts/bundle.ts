// What @driftless/replica and @driftless/react add to a browser bundle: one definition of the measured entries,
// shared by the report (`npm run size`) and the budget test (test/bundle-size.test.ts).
import { build } from 'esbuild'
import { fileURLToPath } from 'node:url'
import { gzipSync } from 'node:zlib'
import { build as viteBuild, type Rolldown } from 'vite'

const here = fileURLToPath(new URL('.', import.meta.url))

/** Sizes in bytes of one minified bundle. */
export interface BundleSize {
  raw: number
  gzip: number
  /** Copies of Yjs in the bundle, counted by Yjs's own "already imported" guard. */
  yjsCopies: number
}

/** A bundle measured by `measure`: its sizes and the source files it holds. */
export interface MeasuredBundle extends BundleSize {
  modules: string[]
}

/**
 * Bundles `source` as a production app bundler would for browsers (minified ESM, tree-shaken, `sideEffects`
 * honoured, `process.env.NODE_ENV` = production), leaving out `external`, and measures it (gzip -9).
 */
export async function measure(source: string, external: readonly string[]): Promise<MeasuredBundle> {
  const result = await build({
    stdin: { contents: source, resolveDir: here, loader: 'ts' },
    bundle: true, minify: true, format: 'esm', platform: 'browser', write: false, treeShaking: true, metafile: true,
    external: [...external], conditions: ['@driftless/source'], define: { 'process.env.NODE_ENV': '"production"' },
    logLevel: 'error',
  })
  const output = Object.values(result.metafile.outputs)[0]!
  const modules = Object.entries(output.inputs).filter(([, input]) => input.bytesInOutput > 0).map(([path]) => path)
  return { ...sizeOf(result.outputFiles[0]!.contents), modules }
}

const sizeOf = (code: Uint8Array | string): BundleSize => {
  const text = typeof code === 'string' ? code : new TextDecoder().decode(code)
  const bytes = typeof code === 'string' ? new TextEncoder().encode(code) : code
  return { raw: bytes.length, gzip: gzipSync(bytes, { level: 9 }).length, yjsCopies: text.split('Yjs was already imported').length - 1 }
}

/** The editor's production build, in three chunks: ours, Yjs's, and the rest (React, TipTap, the app). */
export interface EditorBundle {
  /** `@driftless/replica`, its protocol and `idb`, and `@driftless/react`: what Driftless adds to the app. */
  driftless: BundleSize
  /** The source files in the Driftless chunk, to show it holds what it is named after. */
  driftlessModules: string[]
  /** Yjs with lib0 and y-protocols, which TipTap's collaboration extensions need as well. */
  yjs: BundleSize
  rest: BundleSize
}

/**
 * Builds `apps/editor` with its own Vite config, as `vite build` ships it, with only the chunking changed so
 * that each part can be measured (the code in each chunk is what the single-chunk build holds).
 */
export async function measureEditor(): Promise<EditorBundle> {
  const output = await viteBuild({
    configFile: fileURLToPath(new URL('../../../apps/editor/vite.config.ts', import.meta.url)),
    logLevel: 'silent',
    build: {
      write: false,
      rolldownOptions: {
        output: {
          codeSplitting: {
            includeDependenciesRecursively: false,
            groups: [
              { name: 'driftless', test: /packages\/(replica|protocol|react)\/src\/|node_modules\/idb\//, priority: 2 },
              { name: 'yjs', test: /node_modules\/(yjs|lib0|y-protocols)\//, priority: 1 },
            ],
          },
        },
      },
    },
  })
  const { output: files } = (Array.isArray(output) ? output[0] : output) as Rolldown.RolldownOutput
  const chunks = files.filter((file): file is Rolldown.OutputChunk => file.type === 'chunk')
  const named = (name: string) => chunks.filter((chunk) => chunk.name === name)
  const joined = (parts: Rolldown.OutputChunk[]) => sizeOf(parts.map((chunk) => chunk.code).join('\n'))
  return {
    driftless: joined(named('driftless')),
    driftlessModules: named('driftless').flatMap((chunk) => chunk.moduleIds),
    yjs: joined(named('yjs')),
    rest: joined(chunks.filter((chunk) => chunk.name !== 'driftless' && chunk.name !== 'yjs')),
  }
}

/** Most gzip bytes Driftless (replica + react) may add to the editor's production build. */
export const editorBudget = 13 * 1024

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
  replica: { source: `export { openReplica } from '@driftless/replica'`, external: ['yjs'], budget: 12.4 * 1024 },
  'replica + presence': {
    source: `export { openReplica } from '@driftless/replica'; export { presence } from '@driftless/replica/presence'`,
    external: ['yjs'], budget: 13.9 * 1024,
  },
  react: { source: `export { ${hooks} } from '@driftless/react'`, external: ['yjs', 'react', '@driftless/replica'], budget: 3 * 1024 },
  'replica + react': { source: replicaAndReact, external: ['yjs', 'react'], budget: 15.8 * 1024 },
  'y-websocket + y-indexeddb': {
    source: `export { WebsocketProvider } from 'y-websocket'; export { IndexeddbPersistence } from 'y-indexeddb'`,
    external: ['yjs'],
  },
} satisfies Record<string, Entry>

/** The same with Yjs bundled: what each adds on top of Yjs itself, lib0 and y-protocols being shared as in an app. */
export const withYjs = {
  'yjs alone': { source: `export * from 'yjs'`, external: ['react'] },
  'yjs + replica': { source: `export * from 'yjs'; export { openReplica } from '@driftless/replica'`, external: ['react'] },
  'yjs + replica + react': { source: `export * from 'yjs'; ${replicaAndReact}`, external: ['react'] },
  'yjs + y-websocket + y-indexeddb': {
    source: `export * from 'yjs'; export { WebsocketProvider } from 'y-websocket'; export { IndexeddbPersistence } from 'y-indexeddb'`,
    external: ['react'],
  },
} satisfies Record<string, Entry>

/** `1234` bytes as `1.2 KiB`. */
export const kib = (bytes: number): string => `${(bytes / 1024).toFixed(1)} KiB`
