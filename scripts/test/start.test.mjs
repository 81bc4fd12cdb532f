// `npm start` (scripts/start.mjs) as a process manager drives it: started, then stopped with a signal. Every
// child must be gone and both ports free afterwards, for SIGTERM as for Ctrl-C (SIGINT).
import assert from 'node:assert/strict'
import { spawn } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { createServer } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { createInterface } from 'node:readline'
import { describe, it } from 'node:test'
import { root } from './workspace.mjs'

const freePort = () =>
  new Promise((resolve, reject) => {
    const probe = createServer()
    probe.once('error', reject)
    probe.listen(0, '127.0.0.1', () => {
      const { port } = probe.address()
      probe.close(() => resolve(port))
    })
  })

const portIsFree = (port) =>
  new Promise((resolve) => {
    const probe = createServer()
    probe.once('error', () => resolve(false))
    probe.listen(port, '127.0.0.1', () => probe.close(() => resolve(true)))
  })

const alive = (pid) => {
  try {
    process.kill(pid, 0)
    return true
  } catch {
    return false
  }
}

/** Polls `condition` until it holds; fails after `ms`. */
async function waitFor(condition, ms) {
  const deadline = Date.now() + ms
  while (!condition()) {
    if (Date.now() > deadline) assert.fail(`not within ${ms} ms`)
    await new Promise((resolve) => setTimeout(resolve, 50))
  }
}

/** Direct children of a process (Linux /proc). */
const childrenOf = (pid) =>
  readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8').split(' ').filter(Boolean).map(Number)

/** Starts `scripts/start.mjs` on free ports and resolves once it printed the demo's and the editor's URLs. */
async function start(env = {}) {
  const [port, relayPort] = [await freePort(), await freePort()]
  const data = mkdtempSync(join(tmpdir(), 'driftless-start-'))
  const child = spawn(process.execPath, ['scripts/start.mjs', '--port', String(port), '--relay-port', String(relayPort), '--data', data], {
    cwd: root,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'inherit'],
  })
  const exited = new Promise((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })))
  const urls = {}
  await new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('npm start did not print the demo and editor URLs in 120 s')), 120_000)
    createInterface({ input: child.stdout }).on('line', (line) => {
      const printed = /^\[start\] (demo|editor): +(\S+)/.exec(line)
      if (printed) urls[printed[1]] = printed[2]
      if (urls.demo && urls.editor) {
        clearTimeout(timer)
        resolve()
      }
    })
    exited.then(({ code }) => reject(new Error(`npm start exited early (${code})`)))
  })
  return { child, exited, port, relayPort, data, urls }
}

describe('npm start', { timeout: 300_000 }, () => {
  for (const signal of ['SIGTERM', 'SIGINT']) {
    it(`stops the relay and the demo server on ${signal}, releasing both ports`, async () => {
      const started = await start()
      const children = childrenOf(started.child.pid)
      assert.ok(children.length >= 1, 'the relay runs as a child process')
      started.child.kill(signal)
      assert.deepEqual(await started.exited, { code: 0, signal: null })
      assert.deepEqual(children.filter(alive), [], 'children still running')
      assert.equal(await portIsFree(started.port), true, 'the demo port is still taken')
      assert.equal(await portIsFree(started.relayPort), true, 'the relay port is still taken')
      rmSync(started.data, { recursive: true, force: true })
    })
  }

  it('stops its children when `npm start` itself is sent SIGTERM, as process managers do', async () => {
    const [port, relayPort] = [await freePort(), await freePort()]
    const data = mkdtempSync(join(tmpdir(), 'driftless-start-'))
    const npm = spawn('npm', ['start', '--', '--port', String(port), '--relay-port', String(relayPort), '--data', data], { cwd: root, stdio: ['ignore', 'pipe', 'inherit'] })
    const exited = new Promise((resolve) => npm.once('exit', resolve))
    await new Promise((resolve) => createInterface({ input: npm.stdout }).on('line', (line) => line.includes('[start] demo:') && resolve()))
    const descendants = (pid) => childrenOf(pid).flatMap((child) => [child, ...descendants(child)])
    const processes = descendants(npm.pid)
    npm.kill('SIGTERM')
    await exited
    await waitFor(() => processes.filter(alive).length === 0, 10_000)
    assert.equal(await portIsFree(port), true, 'the demo port is still taken')
    assert.equal(await portIsFree(relayPort), true, 'the relay port is still taken')
    rmSync(data, { recursive: true, force: true })
  })

  it('serves the built editor at the URL it prints next to the demo', async () => {
    const started = await start()
    try {
      assert.ok(started.urls.editor.startsWith(`http://127.0.0.1:${started.port}/editor/`), started.urls.editor)
      const page = await fetch(started.urls.editor)
      assert.equal(page.status, 200)
      const html = await page.text()
      assert.match(html, /<title>Driftless editor<\/title>/)
      const script = /<script type="module"[^>]* src="([^"]+)"/.exec(html)?.[1]
      assert.ok(script !== undefined, 'the page has a module script')
      const bundleUrl = new URL(script, started.urls.editor)
      assert.ok(bundleUrl.pathname.startsWith('/editor/assets/'), `the page loads its bundle from /editor/assets/, not ${bundleUrl.pathname}`)
      const bundle = await fetch(bundleUrl)
      assert.equal(bundle.status, 200)
      assert.match(bundle.headers.get('content-type') ?? '', /javascript/)
    } finally {
      started.child.kill('SIGTERM')
      await started.exited
      rmSync(started.data, { recursive: true, force: true })
    }
  })

  it('signs development tokens only when auth is configured', async () => {
    const secured = await start({ DRIFTLESS_AUTH_SECRET: 'dev-secret' })
    try {
      const response = await fetch(`http://127.0.0.1:${secured.port}/dev-token?doc=board`)
      assert.equal(response.status, 200)
      const { token } = await response.json()
      const claims = JSON.parse(Buffer.from(token.split('.')[1], 'base64url').toString())
      assert.deepEqual(claims.docs, { board: 'write' })
      assert.ok(claims.exp > Date.now() / 1000)
    } finally {
      secured.child.kill('SIGTERM')
      await secured.exited
    }
    const open = await start({ DRIFTLESS_AUTH_SECRET: '' })
    try {
      assert.equal((await fetch(`http://127.0.0.1:${open.port}/dev-token?doc=board`)).status, 404)
    } finally {
      open.child.kill('SIGTERM')
      await open.exited
    }
  })

  it('names the flag to change when the relay port is taken', async () => {
    const blocker = createServer()
    const taken = await new Promise((resolve) => blocker.listen(0, '127.0.0.1', () => resolve(blocker.address().port)))
    try {
      const child = spawn(process.execPath, ['scripts/start.mjs', '--relay-port', String(taken), '--port', String(await freePort())], { cwd: root, stdio: ['ignore', 'ignore', 'pipe'] })
      let stderr = ''
      child.stderr.on('data', (chunk) => (stderr += chunk))
      const code = await new Promise((resolve) => child.once('exit', resolve))
      assert.equal(code, 2)
      assert.match(stderr, new RegExp(`port ${taken} on 127.0.0.1 is already in use: choose another with --relay-port <n>`))
    } finally {
      blocker.close()
    }
  })
})
