import { execFile, spawn } from 'node:child_process'
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs'
import { createServer, type Server } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { promisify } from 'node:util'
import { afterEach, describe, expect, it } from 'vitest'
import { CloseCode } from '@driftless/protocol'
import { startRelay } from '@driftless/testkit/support'
import { cliFlags, CliUsageError, parseCli } from '../src/cli-options.js'
import { cliTables, README, readmeTables } from '../scripts/readme-cli.js'
import { TestClient } from './helpers.js'
import { ensureBuilt, relayBin } from './process.js'

const cli = new URL('../src/cli.ts', import.meta.url).pathname
const version = (JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string }).version

/** Runs the CLI from source as a user would run the bin; resolves with its exit code and output. */
const runCli = (args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> =>
  new Promise((resolve) => {
    const child = spawn(process.execPath, ['--conditions=@driftless/source', '--import', 'tsx', cli, ...args], { stdio: ['ignore', 'pipe', 'pipe'] })
    let stdout = ''
    let stderr = ''
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()))
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()))
    child.once('exit', (code) => resolve({ code, stdout, stderr }))
  })

let blocker: Server | undefined
afterEach(() => new Promise<void>((resolve) => (blocker ? blocker.close(() => resolve()) : resolve())))

describe('driftless-relay CLI', () => {
  it('--version prints the package version', async () => {
    const { code, stdout } = await runCli(['--version'])
    expect({ code, stdout }).toEqual({ code: 0, stdout: `${version}\n` })
  })

  it('an unknown flag is refused with a pointer to --help (exit 2)', async () => {
    const { code, stderr } = await runCli(['--prot', '9000'])
    expect(code).toBe(2)
    expect(stderr).toMatch(/Unknown option '--prot'.*driftless-relay --help/)
  })

  it('a taken port names the port and the flag to change', async () => {
    blocker = createServer()
    const port = await new Promise<number>((resolve) => blocker!.listen(0, '127.0.0.1', () => resolve((blocker!.address() as { port: number }).port)))
    const { code, stderr } = await runCli(['--port', String(port), '--storage', 'memory'])
    expect(code).toBe(2)
    expect(stderr).toContain(`port ${port} on 127.0.0.1 is already in use: choose another with --port <n>`)
  })

  it('a data directory that cannot be written names the path', async () => {
    const file = join(mkdtempSync(join(tmpdir(), 'driftless-cli-')), 'not-a-dir')
    writeFileSync(file, '')
    const data = join(file, 'data')
    const { code, stderr } = await runCli(['--port', '0', '--data', data])
    expect(code).toBe(2)
    expect(stderr).toContain(`cannot write the data directory ${data}`)
    expect(stderr).toContain('--data <dir>')
  })

  it('--max-messages-per-second sets the per-connection limit: 200 pings, within the default, flood a limit of 20', async () => {
    ensureBuilt()
    const relay = await startRelay({ bin: relayBin, args: ['--storage', 'memory', '--log-level', 'warn', '--max-messages-per-second', '20'] })
    try {
      const client = await TestClient.greeted(relay.url)
      for (let nonce = 0; nonce < 200; nonce++) client.send({ type: 'ping', nonce })
      expect(await client.waitClosed()).toBe(CloseCode.rateLimited)
    } finally {
      await relay.dispose()
    }
  })

  it('a message rate that is not a positive integer is refused (exit 2)', async () => {
    const { code, stderr } = await runCli(['--max-messages-per-second', '0', '--storage', 'memory'])
    expect(code).toBe(2)
    expect(stderr).toContain('invalid --max-messages-per-second 0 (a positive integer)')
  })

  it('falls back to the environment for flags that have a variable; the flag wins', () => {
    expect(parseCli([], { DRIFTLESS_STORAGE: 'memory' }).storage).toBe('memory')
    expect(parseCli(['--storage', 'sqlite'], { DRIFTLESS_STORAGE: 'memory' }).storage).toBe('sqlite')
    expect(parseCli(['--allowed-origin', 'a', '--allowed-origin', 'b'], {})['allowed-origin']).toEqual(['a', 'b'])
    expect(() => parseCli(['stray'], {})).toThrow(CliUsageError)
  })
})

describe('the relay README', () => {
  it('shows the CLI tables generated from the flag table (run `npm run readme -w @driftless/relay` after adding a flag)', () => {
    expect(readmeTables(readFileSync(README, 'utf8'))).toBe(cliTables())
  })

  it('lists exactly the flags `--help` prints', async () => {
    const { stdout } = await promisify(execFile)(process.execPath, ['--conditions=@driftless/source', '--import', 'tsx', cli, '--help'])
    const inHelp = [...stdout.matchAll(/^ {2}--([a-z-]+)/gm)].map((match) => match[1])
    const inReadme = [...(readmeTables(readFileSync(README, 'utf8')) ?? '').matchAll(/^\| `--([a-z-]+)/gm)].map((match) => match[1])
    expect(inReadme).toEqual(inHelp)
    expect(inHelp).toEqual(cliFlags.map((flag) => flag.name))
  })
})
