// Every code block of every README compiles, so a snippet copied from the docs works. Conventions (see
// CONTRIBUTING.md, "README code blocks"):
// - ```ts / ```tsx: a module of its own, type-checked against the packages' sources with the repo's strict
//   tsconfig. Top-level await is fine.
// - ```ts continues: appended to the previous ts block of the same README (a story told in steps).
// - ```ts no-check: not checked; only for deliberately partial code, say why next to it.
// - ```json: must parse. ```sh / ```bash: `driftless-relay` flags must be ones its `--help` lists.
// - ```text and other languages (diagrams, output): not checked. A block without a language fails.
import assert from 'node:assert/strict'
import { execFileSync } from 'node:child_process'
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { join, relative } from 'node:path'
import { describe, it } from 'node:test'
import { root } from './workspace.mjs'

/** Every README of the repository: the root one and those of packages/* and apps/*. */
export function readmes() {
  const inside = (dir) => readdirSync(join(root, dir)).map((name) => join(root, dir, name, 'README.md')).filter(existsSync)
  return [join(root, 'README.md'), ...inside('packages'), ...inside('apps')]
}

/** The fenced code blocks of a Markdown file, with their language, markers and line. */
export function codeBlocks(markdown) {
  const blocks = []
  const lines = markdown.split('\n')
  for (let i = 0; i < lines.length; i++) {
    const open = /^(\s*)(`{3,}|~{3,})\s*([^\s`]*)\s*(.*)$/.exec(lines[i])
    if (!open) continue
    const [, indent, fence, lang, rest] = open
    const body = []
    let j = i + 1
    while (j < lines.length && !(lines[j].trim().startsWith(fence) && lines[j].trim().replace(/[`~]/g, '') === '')) body.push(lines[j++].slice(indent.length))
    blocks.push({ lang, markers: rest.split(/\s+/).filter(Boolean), line: i + 1, code: body.join('\n') })
    i = j
  }
  return blocks
}

const checkedDir = join(root, 'node_modules/.cache/readme-snippets')

describe('README code blocks', () => {
  const all = readmes().flatMap((file) => codeBlocks(readFileSync(file, 'utf8')).map((block) => ({ ...block, file: relative(root, file) })))

  it('all declare a language', () => {
    assert.deepEqual(all.filter((block) => block.lang === '').map((block) => `${block.file}:${block.line}`), [])
  })

  it('ts blocks type-check against the packages (strict, as a module each)', () => {
    rmSync(checkedDir, { recursive: true, force: true })
    mkdirSync(checkedDir, { recursive: true })
    const modules = []
    for (const block of all) {
      if (!['ts', 'tsx', 'typescript'].includes(block.lang) || block.markers.includes('no-check')) continue
      const previous = modules.at(-1)
      if (block.markers.includes('continues')) {
        assert.ok(previous?.file === block.file, `${block.file}:${block.line}: "ts continues" needs a ts block before it`)
        previous.code += `\n// ${block.file}:${block.line}\n${block.code}`
        continue
      }
      modules.push({ file: block.file, line: block.line, lang: block.lang, code: `// ${block.file}:${block.line}\n${block.code}` })
    }
    const files = modules.map((module, index) => {
      const name = `${module.file.replace(/[/.]/g, '_')}_${module.line}.${module.lang === 'tsx' ? 'tsx' : 'ts'}`
      writeFileSync(join(checkedDir, name), `${module.code}\nexport {}\n`)
      return name ?? index
    })
    writeFileSync(join(checkedDir, 'tsconfig.json'), JSON.stringify({
      extends: '../../../tsconfig.json',
      compilerOptions: { noEmit: true, noUnusedLocals: false, noUnusedParameters: false, moduleDetection: 'force', types: ['node'], jsx: 'react-jsx' },
      files,
    }))
    try {
      execFileSync(process.execPath, [join(root, 'node_modules/typescript/bin/tsc'), '-p', join(checkedDir, 'tsconfig.json')], { cwd: root, encoding: 'utf8' })
    } catch (error) {
      // Each file starts with a comment naming its README and line, so the error says where to fix it.
      assert.fail(`README snippets do not compile:\n${error.stdout}`)
    }
  })

  it('json blocks parse', () => {
    for (const block of all.filter((b) => b.lang === 'json')) {
      assert.doesNotThrow(() => JSON.parse(block.code), `${block.file}:${block.line} is not JSON`)
    }
  })

  it('shell blocks use only flags the relay CLI has', () => {
    const help = execFileSync(process.execPath, [join(root, 'packages/relay/bin/driftless-relay.js'), '--help'], { encoding: 'utf8' })
    const known = new Set([...help.matchAll(/^ {2}--([a-z-]+)/gm)].map((match) => match[1]))
    const unknown = []
    for (const block of all.filter((b) => ['sh', 'bash', 'shell'].includes(b.lang))) {
      for (const line of block.code.split('\n')) {
        const command = /driftless-relay(?!\.js)\b(.*?)(#|$)/.exec(line)
        if (!command || /\b(export|import)\b/.test(command[1].split(' ')[1] ?? '')) continue
        for (const [, flag] of command[1].matchAll(/(?:^|\s)--([a-z][a-z-]*)/g)) if (!known.has(flag)) unknown.push(`${block.file}:${block.line}: --${flag}`)
      }
    }
    assert.deepEqual(unknown, [])
  })
})
