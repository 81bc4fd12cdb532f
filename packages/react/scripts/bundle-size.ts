// Reports what @driftless/replica and @driftless/react add to a browser bundle, next to y-websocket +
// y-indexeddb doing the same job, and checks the editor's production build holds one copy of Yjs.
// Run: npm run size -w @driftless/react   (build the editor first: npm run build -w @driftless/editor)
import { existsSync, readdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { gzipSync } from 'node:zlib'
import { entries, kib, measure, withYjs } from './bundle.js'

console.log('| bundle (minified, gzip -9) | raw | gzip | budget |\n| --- | ---: | ---: | ---: |')
for (const [name, entry] of Object.entries(entries)) {
  const size = await measure(entry.source, entry.external)
  const budget = 'budget' in entry ? kib(entry.budget) : ''
  console.log(`| ${name} (without ${entry.external.join(', ')}) | ${kib(size.raw)} | ${kib(size.gzip)} | ${budget} |`)
}
const base = await measure(withYjs['yjs alone'].source, withYjs['yjs alone'].external)
for (const [name, entry] of Object.entries(withYjs)) {
  const size = await measure(entry.source, entry.external)
  const added = name === 'yjs alone' ? '' : ` (adds ${kib(size.gzip - base.gzip)})`
  console.log(`| ${name} | ${kib(size.raw)} | ${kib(size.gzip)}${added} | |`)
}

const assets = fileURLToPath(new URL('../../../apps/editor/dist/assets', import.meta.url))
if (existsSync(assets)) {
  const scripts = readdirSync(assets).filter((file) => file.endsWith('.js'))
  const text = scripts.map((file) => readFileSync(join(assets, file), 'utf8')).join('\n')
  const copies = text.split('Yjs was already imported').length - 1
  const total = scripts.reduce((sum, file) => sum + gzipSync(readFileSync(join(assets, file)), { level: 9 }).length, 0)
  console.log(`\neditor production build: ${scripts.length} script(s), ${kib(total)} gzip; copies of Yjs: ${copies}`)
} else {
  console.log('\nno editor build: run `npm run build -w @driftless/editor` for its line')
}
