// Packs every publishable package, installs the tarballs into a fresh project outside the workspace, and uses
// them the way an app would: imports every public entry in Node, runs a relay and a replica against each
// other, and type-checks consumer files under create-vite's strict tsconfigs. Catches what workspace tests
// cannot: files missing from a tarball, exports that point nowhere, types that only compile in our setup.
import assert from 'node:assert/strict'
import { execFileSync } from 'node:child_process'
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, before, describe, it } from 'node:test'
import { listTarball, publishablePackages, root } from './workspace.mjs'

const packages = publishablePackages()
const workspaceVersion = (name) => JSON.parse(readFileSync(join(root, 'node_modules', name, 'package.json'), 'utf8')).version
let project

const npm = (args, cwd) => execFileSync('npm', args, { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] })
const run = (file) => execFileSync(process.execPath, [file], { cwd: project, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] })
const tsc = (config) => {
  try {
    execFileSync(process.execPath, [join(root, 'node_modules/typescript/bin/tsc'), '-p', config], { cwd: project, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] })
  } catch (error) {
    assert.fail(`tsc -p ${config} failed:\n${error.stdout}${error.stderr}`)
  }
}

before(() => {
  project = mkdtempSync(join(tmpdir(), 'driftless-consumer-'))
  const tarballs = join(project, 'tarballs')
  mkdirSync(tarballs)
  // `npm test` has just built the packages (turbo, cached), so pack what is built instead of building again.
  npm(['pack', '--ignore-scripts', '--pack-destination', tarballs, ...packages.flatMap((pkg) => ['-w', pkg.dir])], root)
  const dependencies = Object.fromEntries(packages.map((pkg) => [pkg.name, `file:./tarballs/${pkg.tarball}`]))
  // What an app adds next to ours: the shared Yjs, a WebSocket for Node 20, Playwright for the kit, React for the
  // bindings, vitest for the contract suites. No pg, no ioredis.
  for (const name of ['yjs', 'ws', '@playwright/test', '@types/node', 'react', 'vitest']) dependencies[name] = workspaceVersion(name)
  writeFileSync(join(project, 'package.json'), JSON.stringify({ name: 'consumer', private: true, type: 'module', dependencies }, null, 2))
  // No install scripts: better-sqlite3's native build is not needed to import the relay or to run it in memory.
  npm(['install', '--ignore-scripts', '--prefer-offline', '--no-audit', '--no-fund', '--loglevel=error'], project)
})

after(() => {
  if (project) rmSync(project, { recursive: true, force: true })
})

describe('packed packages, installed in a fresh project', () => {
  it('ship a LICENSE, a CHANGELOG, dist and no TypeScript sources', () => {
    for (const pkg of packages) {
      const files = listTarball(join(project, 'tarballs', pkg.tarball))
      assert.ok(files.includes('package/LICENSE'), `${pkg.name} has no LICENSE`)
      assert.ok(files.includes('package/CHANGELOG.md'), `${pkg.name} has no CHANGELOG.md`)
      assert.deepEqual(files.filter((file) => file.startsWith('package/src/')), [], `${pkg.name} ships src/`)
      assert.ok(files.some((file) => file.startsWith('package/dist/')), `${pkg.name} ships no dist/`)
    }
  })

  it('import every public entry in Node', () => {
    const specifiers = packages.flatMap((pkg) => pkg.entries)
    writeFileSync(join(project, 'imports.mjs'), [
      `const specifiers = ${JSON.stringify(specifiers)}`,
      'for (const specifier of specifiers) {',
      '  const module = await import(specifier)',
      '  if (Object.keys(module).length === 0) throw new Error(`${specifier} exports nothing`)',
      '}',
      'console.log(specifiers.length)',
    ].join('\n'))
    assert.equal(run('imports.mjs').trim(), String(specifiers.length))
  })

  it('run a relay and a replica that sync, and name the package to install for PostgreSQL', () => {
    writeFileSync(join(project, 'smoke.mjs'), `
import { createRelay, createPostgresStorage, MissingDependencyError } from '@driftless/relay'
import { openReplica } from '@driftless/replica'
import { WebSocket } from 'ws'
const relay = await createRelay({ port: 0, storage: { kind: 'memory' }, logLevel: 'silent' })
const replica = openReplica({ docId: 'smoke', relay: relay.url, storage: 'memory', WebSocket })
await replica.loaded
replica.doc.getText('t').insert(0, 'hello')
await replica.whenSynced()
await replica.close()
const other = openReplica({ docId: 'smoke', relay: relay.url, storage: 'memory', WebSocket })
await new Promise((resolve) => other.on('status', (status) => status === 'synced' && resolve()))
const text = other.doc.getText('t').toString()
await other.close()
await relay.close()
let missing = 'nothing thrown'
try { createPostgresStorage({ url: 'postgres://127.0.0.1:1/none' }) } catch (error) {
  missing = error instanceof MissingDependencyError ? error.packageName + ': ' + error.message : String(error)
}
console.log(JSON.stringify({ text, missing }))
`)
    const { text, missing } = JSON.parse(run('smoke.mjs'))
    assert.equal(text, 'hello')
    assert.match(missing, /^pg: .*npm install pg/)
  })

  it('type-check in a create-vite app and node project (erasableSyntaxOnly, a generic "source" condition)', () => {
    cpSync(join(root, 'scripts/test/consumer'), project, { recursive: true })
    tsc('tsconfig.app.json')
    tsc('tsconfig.node.json')
  })
})
