// Reports what @driftless/replica and @driftless/react add to a browser bundle, next to y-websocket +
// y-indexeddb doing the same job, and Driftless's share of the editor's production build (one copy of Yjs).
// Run: npm run size -w @driftless/react
import { editorBudget, entries, kib, measure, measureEditor, withYjs } from './bundle.js'

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

const editor = await measureEditor()
const share = (size: { gzip: number }) => `${kib(size.gzip)} gzip`
console.log(`\neditor production build (vite build, apps/editor): Driftless (replica + react) ${share(editor.driftless)}` +
  ` (budget ${kib(editorBudget)}), Yjs + lib0 + y-protocols ${share(editor.yjs)}, the rest ${share(editor.rest)};` +
  ` copies of Yjs: ${editor.driftless.yjsCopies + editor.yjs.yjsCopies + editor.rest.yjsCopies}`)
