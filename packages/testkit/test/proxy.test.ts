import { afterEach, describe, expect, it } from 'vitest'
import { acrossNodes, startProxy, type TcpProxy } from '../src/proxy.js'
import { staysFalse, waitUntil } from '../src/wait.js'
import { connect, startEchoServer } from './net-helpers.js'

const cleanups: Array<() => Promise<void>> = []
afterEach(async () => {
  while (cleanups.length) await cleanups.pop()?.()
})

async function setup(): Promise<{ proxy: TcpProxy; echo: Awaited<ReturnType<typeof startEchoServer>> }> {
  const echo = await startEchoServer()
  cleanups.push(echo.close)
  const proxy = await startProxy({ target: { host: '127.0.0.1', port: echo.port } })
  cleanups.push(proxy.close)
  return { proxy, echo }
}

describe('startProxy', () => {
  it('forwards bytes both ways', async () => {
    const { proxy } = await setup()
    const probe = connect(proxy.port)
    probe.socket.write('hello')
    await waitUntil(() => probe.received() === 'hello', 2_000)
    expect(proxy.openConnections).toBe(1)
    expect(proxy.wsUrl).toBe(`ws://127.0.0.1:${proxy.port}`)
    probe.socket.destroy()
  })

  it('partition destroys live connections on both sides and refuses new ones until heal', async () => {
    const { proxy, echo } = await setup()
    const live = connect(proxy.port)
    live.socket.write('a')
    await waitUntil(() => live.received() === 'a', 2_000)

    proxy.partition()
    expect(proxy.partitioned).toBe(true)
    expect(await live.closed).toBe('closed')
    await waitUntil(() => echo.sockets.size === 0, 2_000)

    const refused = connect(proxy.port)
    refused.socket.write('lost')
    await refused.closed
    expect(refused.received()).toBe('')

    proxy.heal()
    const again = connect(proxy.port)
    again.socket.write('b')
    await waitUntil(() => again.received() === 'b', 2_000)
    again.socket.destroy()
  })

  it('blackhole holds new connections silently and drops them on heal', async () => {
    const { proxy, echo } = await setup()
    proxy.partition('blackhole')
    const held = connect(proxy.port)
    expect(await held.connected).toBe(true)
    held.socket.write('into the void')
    expect(await staysFalse(() => held.received() !== '', 100)).toBe(true)
    expect(echo.sockets.size).toBe(0)
    proxy.heal()
    expect(await held.closed).toBe('closed')
  })

  it('follows a target function and resets clients while there is no target', async () => {
    const echo = await startEchoServer()
    cleanups.push(echo.close)
    let target: { host: string; port: number } | undefined = undefined
    const proxy = await startProxy({ target: () => target })
    cleanups.push(proxy.close)

    const early = connect(proxy.port)
    await early.closed
    expect(early.received()).toBe('')

    target = { host: '127.0.0.1', port: echo.port }
    const late = connect(proxy.port)
    late.socket.write('z')
    await waitUntil(() => late.received() === 'z', 2_000)
    late.socket.destroy()
  })

  it('spreads connections over several nodes in turn and skips a node that is down', async () => {
    const servers = [await startEchoServer(), await startEchoServer()]
    for (const server of servers) cleanups.push(server.close)
    const nodes = servers.map((server) => ({ running: true, port: server.port }))
    const proxy = await startProxy({ target: acrossNodes(nodes) })
    cleanups.push(proxy.close)

    const probes = [connect(proxy.port), connect(proxy.port)]
    for (const probe of probes) probe.socket.write('x')
    await waitUntil(() => probes.every((probe) => probe.received() === 'x'), 2_000)
    expect(servers.map((server) => server.sockets.size)).toEqual([1, 1])

    nodes[0]!.running = false
    const more = [connect(proxy.port), connect(proxy.port)]
    for (const probe of more) probe.socket.write('y')
    await waitUntil(() => more.every((probe) => probe.received() === 'y'), 2_000)
    expect(servers.map((server) => server.sockets.size)).toEqual([1, 3])
    for (const probe of [...probes, ...more]) probe.socket.destroy()
  })

  it('hold keeps back what the upstream sends until release, and drops it if the connection closes', async () => {
    const { proxy } = await setup()
    const lagging = connect(proxy.port)
    lagging.socket.write('a')
    await waitUntil(() => lagging.received() === 'a', 2_000)
    proxy.hold()
    lagging.socket.write('b')
    expect(await staysFalse(() => lagging.received() !== 'a', 200)).toBe(true)
    proxy.release()
    await waitUntil(() => lagging.received() === 'ab', 2_000)

    proxy.hold()
    lagging.socket.write('c')
    proxy.dropConnections()
    expect(await lagging.closed).toBe('closed')
    expect(lagging.received()).toBe('ab')
    const fresh = connect(proxy.port) // the blip ended the hold
    fresh.socket.write('d')
    await waitUntil(() => fresh.received() === 'd', 2_000)
    fresh.socket.destroy()
  })

  it('closes a client whose upstream refuses', async () => {
    const echo = await startEchoServer()
    const deadPort = echo.port
    await echo.close()
    const proxy = await startProxy({ target: { host: '127.0.0.1', port: deadPort } })
    cleanups.push(proxy.close)
    const probe = connect(proxy.port)
    expect(await probe.closed).toBe('closed')
  })
})
