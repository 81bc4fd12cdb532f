import { existsSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { afterEach, describe, expect, it } from 'vitest'
import { RelayProcessError, startRelay, type RelayProcess } from '../src/relay-process.js'
import { waitUntil } from '../src/wait.js'
import { connect } from './net-helpers.js'

const fakeRelay = fileURLToPath(new URL('./fixtures/fake-relay.mjs', import.meta.url))
let relay: RelayProcess | undefined
afterEach(async () => {
  await relay?.dispose()
  relay = undefined
})

describe('startRelay', () => {
  it('starts the CLI on port 0, reads its URL from the "listening" line, and restarts on the same data', async () => {
    relay = await startRelay({ bin: fakeRelay })
    expect(relay.running).toBe(true)
    expect(relay.url).toBe(`ws://127.0.0.1:${relay.port}`)
    const proxy = await relay.createProxy()

    const first = connect(proxy.port)
    await waitUntil(() => first.received().startsWith('start 1'), 2_000)

    await relay.kill()
    expect(relay.running).toBe(false)
    expect(await first.closed).toBe('closed')
    const whileDown = connect(proxy.port)
    expect(await whileDown.closed).toBe('closed')

    await relay.restart()
    expect(relay.running).toBe(true)
    const second = connect(proxy.port)
    // The restarted process found the first one's file: same data directory, reached through the same proxy.
    await waitUntil(() => second.received().startsWith('start 2'), 2_000)
    second.socket.destroy()
  })

  it('removes the data directory it created on dispose', async () => {
    const started = await startRelay({ bin: fakeRelay })
    expect(existsSync(started.dataDir)).toBe(true)
    await started.dispose()
    expect(existsSync(started.dataDir)).toBe(false)
  })

  it('reports a process that exits before listening, with its output', async () => {
    const error = await startRelay({ bin: fakeRelay, args: ['--fail'] }).catch((e: unknown) => e)
    expect(error).toBeInstanceOf(RelayProcessError)
    expect((error as RelayProcessError).code).toBe('exited-early')
    expect((error as RelayProcessError).message).toContain('cannot open storage')
  })
})
