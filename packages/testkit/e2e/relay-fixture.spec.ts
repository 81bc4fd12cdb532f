import { expect, test } from '../src/index.js'
import { staysFalse } from '../src/support.js'
import { WireClient } from './wire-client.js'

test('a partitioned client is really cut: its edits reach nobody until heal, then both sides converge', async ({ relay }) => {
  const proxyA = await relay.createProxy()
  const proxyB = await relay.createProxy()
  const a = new WireClient(proxyA.wsUrl, 'cut-is-real')
  const b = new WireClient(proxyB.wsUrl, 'cut-is-real')
  try {
    await a.append('one ')
    await expect.poll(() => b.text.toString()).toBe('one ')

    proxyA.partition()
    await expect.poll(() => a.connected).toBe(false)
    a.text.insert(a.text.length, 'offline-a ')
    b.text.insert(0, 'online-b ')
    // The cut is real: neither side sees the other's edit while the partition lasts, reconnects included.
    expect(await staysFalse(() => b.text.toString().includes('offline-a') || a.text.toString().includes('online-b'), 1_000)).toBe(true)

    proxyA.heal()
    await expect.poll(() => a.text.toString()).toContain('online-b')
    await expect.poll(() => b.text.toString()).toBe(a.text.toString())
    expect(a.text.toString()).toContain('offline-a')
  } finally {
    a.close()
    b.close()
  }
})

test('kill() is a SIGKILL that keeps acknowledged writes; restart() serves the same data behind the same proxy', async ({ relay }) => {
  const proxy = await relay.createProxy()
  const writer = new WireClient(proxy.wsUrl, 'kill-restart')
  const firstPort = relay.port
  try {
    await writer.append('acked-1 ')
    await writer.append('acked-2 ')
    await relay.kill()
    expect(relay.running).toBe(false)
    await expect.poll(() => writer.connected).toBe(false)
  } finally {
    writer.close()
  }

  await relay.restart()
  expect(relay.running).toBe(true)
  expect(relay.port).not.toBe(0)
  // A fresh client through the same proxy address sees only what the relay stored: the acked writes.
  const reader = new WireClient(proxy.wsUrl, 'kill-restart')
  try {
    await expect.poll(() => reader.text.toString()).toBe('acked-1 acked-2 ')
    await reader.append('after-restart')
    expect(relay.logs.some((line) => line.includes('"listening"'))).toBe(true)
    expect(firstPort).toBeGreaterThan(0)
  } finally {
    reader.close()
  }
})
