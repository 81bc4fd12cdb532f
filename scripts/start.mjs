#!/usr/bin/env node
// `npm start`: builds what is missing, starts the relay (SQLite in ./.driftless) and serves the built demo
// (at /) and the built editor (at /editor/).
// Options (flags or environment): --host / HOST (default 127.0.0.1), --port / PORT (demo, default 5173),
// --relay-port / RELAY_PORT (default 8787), --data / DRIFTLESS_DATA (default ./.driftless).
// With DRIFTLESS_AUTH_SECRET set, the relay requires tokens and the demo server signs development tokens at
// GET /dev-token?doc=<id> (off otherwise). SIGINT and SIGTERM stop everything this script started.
import { spawn } from 'node:child_process'
import { createReadStream, existsSync, mkdirSync, readdirSync, statSync } from 'node:fs'
import { createServer } from 'node:http'
import { createServer as createNetServer } from 'node:net'
import { extname, join, normalize, resolve, sep } from 'node:path'
import { fileURLToPath, pathToFileURL } from 'node:url'

const root = resolve(fileURLToPath(new URL('..', import.meta.url)))
const flag = (name) => {
  const at = process.argv.indexOf(`--${name}`)
  return at >= 0 ? process.argv[at + 1] : undefined
}
const host = flag('host') ?? process.env.HOST ?? '127.0.0.1'
const port = Number(flag('port') ?? process.env.PORT ?? 5173)
const relayPort = Number(flag('relay-port') ?? process.env.RELAY_PORT ?? 8787)
const dataDir = resolve(root, flag('data') ?? process.env.DRIFTLESS_DATA ?? '.driftless')
const authSecret = process.env.DRIFTLESS_AUTH_SECRET || undefined
const demoDist = join(root, 'apps/demo/dist')
const editorDist = join(root, 'apps/editor/dist')
const say = (line) => console.log(`[start] ${line}`)

// Every child process, so a signal at any moment (even during a build) stops them all.
const children = new Set()
let stopping = false
let server

function shutdown(code = 0) {
  if (stopping) return
  stopping = true
  say('stopping')
  server?.close()
  server?.closeAllConnections()
  const running = [...children].filter((child) => child.exitCode === null && child.signalCode === null)
  if (running.length === 0) process.exit(code)
  let left = running.length
  const force = setTimeout(() => running.forEach((child) => child.kill('SIGKILL')), 5_000)
  for (const child of running) {
    child.once('exit', () => {
      if (--left > 0) return
      clearTimeout(force)
      process.exit(code)
    })
    child.kill('SIGTERM')
  }
}
process.on('SIGINT', () => shutdown(0))
process.on('SIGTERM', () => shutdown(0))
// `npm start` execs this script (package.json), so npm's forwarded signal reaches it; if whatever started it
// dies without a signal reaching us (SIGKILL), stop too rather than leave the relay holding its port.
const parent = process.ppid
setInterval(() => process.ppid !== parent && shutdown(0), 1_000).unref()

/** Starts a child process this script owns until it exits. */
function startChild(command, args, options) {
  const child = spawn(command, args, { cwd: root, ...options })
  children.add(child)
  child.once('exit', () => children.delete(child))
  return child
}

/** Runs a build step to completion; exits if it fails. */
function run(command, args) {
  return new Promise((resolveRun) => {
    const child = startChild(command, args, { stdio: 'inherit' })
    child.once('exit', (status) => {
      if (stopping) return
      if (status !== 0) {
        console.error(`[start] failed: ${command} ${args.join(' ')}`)
        process.exit(status ?? 1)
      }
      resolveRun()
    })
  })
}

const newest = (dir) =>
  readdirSync(dir, { withFileTypes: true }).reduce((latest, entry) => {
    const path = join(dir, entry.name)
    return Math.max(latest, entry.isDirectory() ? newest(path) : statSync(path).mtimeMs)
  }, 0)

/** Fails early, naming the flag to change, if a port is taken (the relay and the demo would only say EADDRINUSE). */
function ensurePortFree(portToCheck, flagName, envName) {
  return new Promise((resolveFree) => {
    const probe = createNetServer()
    probe.once('error', (error) => {
      const why = error.code === 'EADDRINUSE' ? 'is already in use' : `cannot be used (${error.code})`
      console.error(`[start] port ${portToCheck} on ${host} ${why}: choose another with --${flagName} <n> (or ${envName}=<n>)`)
      process.exit(2)
    })
    probe.listen(portToCheck, host, () => probe.close(resolveFree))
  })
}

await ensurePortFree(relayPort, 'relay-port', 'RELAY_PORT')
await ensurePortFree(port, 'port', 'PORT')

// npm install's prepare step builds the packages; build again only what is missing (e.g. after a clean).
const tsc = join(root, 'node_modules/typescript/bin/tsc')
for (const name of ['protocol', 'relay']) {
  if (!existsSync(join(root, `packages/${name}/dist/index.js`))) {
    say(`building @driftless/${name}`)
    await run(process.execPath, [tsc, '-p', `packages/${name}/tsconfig.build.json`])
  }
}
const sourcesChanged = (sources) => Math.max(...sources.map((path) => {
  const full = join(root, path)
  return statSync(full).isDirectory() ? newest(full) : statSync(full).mtimeMs
}))
const builtAt = (dist) => existsSync(join(dist, 'index.html')) ? statSync(join(dist, 'index.html')).mtimeMs : 0
const demoSources = ['apps/demo/src', 'apps/demo/index.html', 'packages/replica/src', 'packages/events/src', 'packages/protocol/src']
if (builtAt(demoDist) < sourcesChanged(demoSources)) {
  say('building the demo (vite build)')
  await run(process.execPath, [join(root, 'node_modules/vite/bin/vite.js'), 'build', '--config', 'apps/demo/vite.config.ts', '--logLevel', 'warn'])
}
const editorSources = ['apps/editor/src', 'apps/editor/index.html', 'packages/react/src', 'packages/replica/src', 'packages/protocol/src']
if (builtAt(editorDist) < sourcesChanged(editorSources)) {
  say('building the editor (vite build)')
  await run(process.execPath, [join(root, 'node_modules/vite/bin/vite.js'), 'build', '--config', 'apps/editor/vite.config.ts', '--logLevel', 'warn'])
}

/** Signs development tokens when auth is on: the same claim shape a real auth server would issue. */
const signDevToken = authSecret === undefined ? undefined
  : (await import(pathToFileURL(join(root, 'packages/relay/dist/index.js')).href)).signToken

mkdirSync(dataDir, { recursive: true })
const relayBin = join(root, 'packages/relay/bin/driftless-relay.js')
const relay = startChild(process.execPath, [relayBin, '--port', String(relayPort), '--host', host, '--data', dataDir], {
  stdio: ['ignore', 'pipe', 'inherit'],
})
let relayUrl

const relayReady = new Promise((resolveReady, rejectReady) => {
  let buffered = ''
  relay.stdout.setEncoding('utf8')
  relay.stdout.on('data', (chunk) => {
    buffered += chunk
    const lines = buffered.split('\n')
    buffered = lines.pop() ?? ''
    for (const line of lines) {
      let entry
      try {
        entry = JSON.parse(line)
      } catch {
        console.log(line)
        continue
      }
      if (entry.msg === 'listening' && typeof entry.url === 'string') {
        relayUrl = entry.url
        resolveReady()
      } else if (entry.level >= 40) {
        console.log(`[relay] ${entry.msg ?? line}`)
      }
    }
  })
  relay.once('exit', (code, signal) => {
    if (!relayUrl) rejectReady(new Error(`the relay exited (${code ?? signal}) before listening`))
    else if (!stopping) {
      console.error(`[start] the relay stopped unexpectedly (${code ?? signal})`)
      shutdown(1)
    }
  })
})

const types = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.json': 'application/json',
  '.wasm': 'application/wasm',
}

const sendJson = (response, status, body) =>
  response.writeHead(status, { 'content-type': 'application/json', 'cache-control': 'no-store' }).end(JSON.stringify(body))

/** GET /dev-token?doc=<id>: a one-hour write token for that document, when auth is on. */
async function devToken(url, response) {
  if (signDevToken === undefined) return sendJson(response, 404, { error: 'auth is off: the relay accepts everyone' })
  const doc = url.searchParams.get('doc')
  if (!doc) return sendJson(response, 400, { error: 'pass ?doc=<document id>' })
  const token = await signDevToken({ secret: authSecret, docs: { [doc]: 'write' }, expiresIn: '1h' })
  sendJson(response, 200, { token })
}

// A tiny static server: each built app is a handful of files, and anything unknown falls back to its index.html.
server = createServer((request, response) => {
  const url = new URL(request.url ?? '/', 'http://x')
  if (url.pathname === '/dev-token') {
    devToken(url, response).catch((error) => sendJson(response, 500, { error: String(error) }))
    return
  }
  const requested = decodeURIComponent(url.pathname)
  const inEditor = requested === '/editor' || requested.startsWith('/editor/')
  const dist = inEditor ? editorDist : demoDist
  const path = inEditor ? requested.slice('/editor'.length) : requested
  let file = normalize(join(dist, path))
  if (!file.startsWith(dist + sep) && file !== dist) {
    response.writeHead(403).end()
    return
  }
  if (!existsSync(file) || statSync(file).isDirectory()) file = join(dist, 'index.html')
  response.writeHead(200, { 'content-type': types[extname(file)] ?? 'application/octet-stream', 'cache-control': 'no-cache' })
  createReadStream(file).pipe(response)
})

try {
  await relayReady
} catch (error) {
  console.error(`[start] ${error.message}`)
  shutdown(1)
}
server.once('error', (error) => {
  console.error(`[start] cannot serve the demo on ${host}:${port}: ${error.message}; choose another port with --port <n>`)
  shutdown(1)
})
server.listen(port, host, () => {
  // The page connects to ws://<its hostname>:8787 by default; name the relay only when it lives elsewhere.
  const base = `http://${host}:${port}/`
  const query = relayPort === 8787 ? '' : `?relay=${encodeURIComponent(relayUrl)}`
  const page = `${base}${query}`
  const editor = `${base}editor/${query}`
  say(`relay:  ${relayUrl} (data in ${dataDir})`)
  say(`demo:   ${page}`)
  say(`editor: ${editor}`)
  if (signDevToken) say(`auth:   on; the demo gets development tokens from ${base}dev-token (never expose this server)`)
  console.log(`\n  Open ${page} (the board) or ${editor} (the editor) in two windows and edit: changes flow both ways.\n  Ctrl-C stops everything.\n`)
})
