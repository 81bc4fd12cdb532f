#!/usr/bin/env node
// `npm start`: builds what is missing, starts the relay (SQLite in ./.driftless) and serves the built demo
// (at /) and the built editor (at /editor/).
// Options (flags or environment): --host / HOST (default 127.0.0.1), --port / PORT (demo, default 5173),
// --relay-port / RELAY_PORT (default 8787), --data / DRIFTLESS_DATA (default ./.driftless).
import { spawn, spawnSync } from 'node:child_process'
import { createReadStream, existsSync, mkdirSync, statSync } from 'node:fs'
import { createServer } from 'node:http'
import { extname, join, normalize, resolve, sep } from 'node:path'
import { fileURLToPath } from 'node:url'

const root = resolve(fileURLToPath(new URL('..', import.meta.url)))
const flag = (name) => {
  const at = process.argv.indexOf(`--${name}`)
  return at >= 0 ? process.argv[at + 1] : undefined
}
const host = flag('host') ?? process.env.HOST ?? '127.0.0.1'
const port = Number(flag('port') ?? process.env.PORT ?? 5173)
const relayPort = Number(flag('relay-port') ?? process.env.RELAY_PORT ?? 8787)
const dataDir = resolve(root, flag('data') ?? process.env.DRIFTLESS_DATA ?? '.driftless')
const demoDist = join(root, 'apps/demo/dist')
const editorDist = join(root, 'apps/editor/dist')
const say = (line) => console.log(`[start] ${line}`)

function run(command, args) {
  const result = spawnSync(command, args, { cwd: root, stdio: 'inherit' })
  if (result.status !== 0) {
    console.error(`[start] failed: ${command} ${args.join(' ')}`)
    process.exit(result.status ?? 1)
  }
}

// npm install's prepare step builds the packages; build again only what is missing (e.g. after a clean).
for (const name of ['protocol', 'relay']) {
  if (!existsSync(join(root, `packages/${name}/dist/index.js`))) {
    say(`building @driftless/${name}`)
    run(process.execPath, [join(root, 'node_modules/typescript/bin/tsc'), '-p', `packages/${name}/tsconfig.build.json`])
  }
}
say('building the demo (vite build)')
run(process.execPath, [join(root, 'node_modules/vite/bin/vite.js'), 'build', '--config', 'apps/demo/vite.config.ts', '--logLevel', 'warn'])
say('building the editor (vite build)')
run(process.execPath, [join(root, 'node_modules/vite/bin/vite.js'), 'build', '--config', 'apps/editor/vite.config.ts', '--base', '/editor/', '--logLevel', 'warn'])

mkdirSync(dataDir, { recursive: true })
const relayBin = join(root, 'packages/relay/bin/driftless-relay.js')
const relay = spawn(process.execPath, [relayBin, '--port', String(relayPort), '--host', host, '--data', dataDir], {
  cwd: root,
  stdio: ['ignore', 'pipe', 'inherit'],
})
let relayUrl
let stopping = false

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

// A tiny static server: each built app is a handful of files, and anything unknown falls back to its index.html.
const server = createServer((request, response) => {
  const requested = decodeURIComponent(new URL(request.url ?? '/', 'http://x').pathname)
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

function shutdown(code = 0) {
  if (stopping) return
  stopping = true
  say('stopping')
  server.close()
  if (relay.exitCode === null && relay.signalCode === null) {
    relay.kill('SIGTERM')
    const force = setTimeout(() => relay.kill('SIGKILL'), 5_000)
    relay.once('exit', () => {
      clearTimeout(force)
      process.exit(code)
    })
  } else process.exit(code)
}
process.on('SIGINT', () => shutdown(0))
process.on('SIGTERM', () => shutdown(0))

try {
  await relayReady
} catch (error) {
  console.error(`[start] ${error.message}`)
  process.exit(1)
}
server.once('error', (error) => {
  console.error(`[start] cannot serve the demo on ${host}:${port}: ${error.message}`)
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
  console.log(`\n  Open ${page} (the board) or ${editor} (the editor) in two windows and edit: changes flow both ways.\n  Ctrl-C stops everything.\n`)
})
