// Measures what @driftless/replica and @driftless/react add to a browser bundle, next to y-websocket +
// y-indexeddb doing the same job, and checks the editor's production build holds one copy of Yjs.
// Run: npm run size -w @driftless/react   (build the editor first: npm run build -w @driftless/editor)
import { build } from 'esbuild'
import { readdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { gzipSync } from 'node:zlib'

const here = fileURLToPath(new URL('.', import.meta.url))
const root = join(here, '../../..')

/** Minified ESM for browsers, as a production app bundler would emit it; returns the gzip size in bytes. */
async function gzipped(source: string, external: string[]): Promise<{ raw: number; gzip: number }> {
  const result = await build({
    stdin: { contents: source, resolveDir: here, loader: 'ts' },
    bundle: true, minify: true, format: 'esm', platform: 'browser', write: false, treeShaking: true,
    external, conditions: ['@driftless/source'], define: { 'process.env.NODE_ENV': '"production"' }, logLevel: 'error',
  })
  const code = result.outputFiles[0]!.contents
  return { raw: code.length, gzip: gzipSync(code, { level: 9 }).length }
}

const hooks = 'ReplicaProvider, useReplica, useStatus, usePending, useSaved, useSynced, useLoaded, useLeader, usePresence, useY, useReplicaError'
const entries = {
  replica: { source: `export { openReplica } from '@driftless/replica'`, external: ['yjs'] },
  react: { source: `export { ${hooks} } from '@driftless/react'`, external: ['yjs', 'react', '@driftless/replica'] },
  'replica + react': { source: `export { ${hooks} } from '@driftless/react'; export { openReplica } from '@driftless/replica'`, external: ['yjs', 'react'] },
  'y-websocket + y-indexeddb': {
    source: `export { WebsocketProvider } from 'y-websocket'; export { IndexeddbPersistence } from 'y-indexeddb'`,
    external: ['yjs'],
  },
}
// What each adds on top of Yjs itself, when lib0 and y-protocols are shared with it as in a real app.
const withYjs = {
  'yjs alone': `export * from 'yjs'`,
  'yjs + replica + react': `export * from 'yjs'; export { ${hooks} } from '@driftless/react'; export { openReplica } from '@driftless/replica'`,
  'yjs + y-websocket + y-indexeddb': `export * from 'yjs'; export { WebsocketProvider } from 'y-websocket'; export { IndexeddbPersistence } from 'y-indexeddb'`,
}

const kib = (bytes: number): string => `${(bytes / 1024).toFixed(1)} KiB`
console.log('| bundle (minified, gzip -9) | raw | gzip |\n| --- | ---: | ---: |')
for (const [name, { source, external }] of Object.entries(entries)) {
  const size = await gzipped(source, external)
  console.log(`| ${name} (without ${external.join(', ')}) | ${kib(size.raw)} | ${kib(size.gzip)} |`)
}
const base = await gzipped(withYjs['yjs alone'], ['react'])
for (const [name, source] of Object.entries(withYjs)) {
  const size = await gzipped(source, ['react'])
  const added = name === 'yjs alone' ? '' : ` (adds ${kib(size.gzip - base.gzip)})`
  console.log(`| ${name} | ${kib(size.raw)} | ${kib(size.gzip)}${added} |`)
}

const assets = join(root, 'apps/editor/dist/assets')
const scripts = readdirSync(assets).filter((file) => file.endsWith('.js'))
const text = scripts.map((file) => readFileSync(join(assets, file), 'utf8')).join('\n')
const copies = text.split('Yjs was already imported').length - 1
const total = scripts.reduce((sum, file) => sum + gzipSync(readFileSync(join(assets, file)), { level: 9 }).length, 0)
console.log(`\neditor production build: ${scripts.length} script(s), ${kib(total)} gzip; copies of Yjs: ${copies}`)
