import { readFileSync } from 'node:fs'
import { kill } from 'node:process'
import { expect, type CDPSession, type Page } from '@playwright/test'
import { call, edit, eventually, openIn, openPage, prop, readFromRelay, textOf, uniquePrefix, test } from './fixtures.js'

/** Resident memory of each renderer process of the browser, in bytes, by pid (Linux /proc). */
const rendererMemory = async (cdp: CDPSession): Promise<Map<number, number>> => {
  const { processInfo } = await cdp.send('SystemInfo.getProcessInfo')
  const resident = (pid: number) => Number(readFileSync(`/proc/${pid}/statm`, 'utf8').split(' ')[1]) * 4096
  return new Map(processInfo.filter((p) => p.type === 'renderer').map((p) => [p.id, resident(p.id)]))
}

const BALLAST = 256 * 1024 * 1024

/**
 * The pid of the renderer process that runs `page`. CDP does not map pages to pids, so the page fills a
 * large buffer for a moment: the one renderer whose resident memory grows by that much is the one.
 */
const rendererOf = async (cdp: CDPSession, page: Page): Promise<number> => {
  const before = await rendererMemory(cdp)
  await page.evaluate((size) => {
    (window as unknown as { ballast?: Uint8Array }).ballast = new Uint8Array(size).fill(1)
  }, BALLAST)
  const after = await rendererMemory(cdp)
  await page.evaluate(() => { delete (window as unknown as { ballast?: Uint8Array }).ballast })
  const grown = [...after].filter(([pid, rss]) => rss - (before.get(pid) ?? 0) > BALLAST * 0.75).map(([pid]) => pid)
  if (grown.length !== 1) throw new Error(`cannot tell which renderer runs the page: ${JSON.stringify([...before, ...after])}`)
  return grown[0]!
}

/** Records, in the page, when replica `name` took the relay connection (`leader` event). */
const recordLeaderEvents = (page: Page, name: string): Promise<void> =>
  page.evaluate((name) => {
    const w = window as unknown as { replicas: Record<string, { on(e: 'leader', fn: (v: boolean) => void): void }>; leaderAt?: number[] }
    w.leaderAt = []
    w.replicas[name]!.on('leader', (isLeader) => { if (isLeader) w.leaderAt!.push(Date.now()) })
  }, name)

const leaderEvents = (page: Page): Promise<number[]> =>
  page.evaluate(() => (window as unknown as { leaderAt: number[] }).leaderAt)

/*
 * The leader tab's renderer is killed with SIGKILL: no pagehide, no unload, no close frame from page code, its
 * Web Lock released only because the browser saw the process die. Both tabs run in a browser of their own,
 * launched here, so that the test can check they live in different renderer processes.
 */
test('leader handover when the leader tab crashes (renderer killed): nothing lost', async ({ playwright, launchOptions, browser, relay }) => {
  const own = await playwright.chromium.launch(launchOptions)
  try {
    const cdp = await own.newBrowserCDPSession()
    const context = await own.newContext()
    const prefix = uniquePrefix()
    const options = { docId: 'crash', relay: relay.url, channelPrefix: prefix }

    const leader = await openPage(context)
    await openIn(leader, 'a', options)
    await eventually(() => prop(leader, 'a', 'isLeader'), true)
    const follower = await openPage(context)
    let followerSockets = 0
    follower.on('websocket', () => { followerSockets++ })
    await openIn(follower, 'a', options)
    await recordLeaderEvents(follower, 'a')
    expect(await prop(follower, 'a', 'isLeader')).toBe(false)

    const leaderPid = await rendererOf(cdp, leader)
    const followerPid = await rendererOf(cdp, follower)
    expect(leaderPid, 'the two tabs share a renderer process: killing one would kill both').not.toBe(followerPid)

    // Routed through the leader: the follower has no socket of its own, yet the relay acknowledges its edit.
    await edit(follower, 'a', 'before;')
    await call(follower, 'a', 'whenSynced')
    expect(followerSockets).toBe(0)
    expect(relay.relay.stats().connections).toBe(1)
    // Sent to the leader, maybe not yet acknowledged when it dies.
    await edit(follower, 'a', 'inflight;')
    // The leader's own last edit is in the shared database, maybe not yet acknowledged when it dies.
    await edit(leader, 'a', 'leader;')
    await call(leader, 'a', 'whenSaved')

    const crashed = leader.waitForEvent('crash', { timeout: 10_000 })
    const killedAt = Date.now()
    kill(leaderPid, 'SIGKILL')
    await crashed
    const alive = (pid: number) => { try { return kill(pid, 0) } catch { return false } }
    await expect.poll(() => alive(leaderPid), { message: 'the leader renderer process is gone' }).toBe(false)

    await edit(follower, 'a', 'after;')
    await eventually(() => prop(follower, 'a', 'isLeader'), true)
    const [tookOverAt] = await leaderEvents(follower)
    expect(tookOverAt).toBeGreaterThanOrEqual(killedAt)
    test.info().annotations.push({ type: 'handover after crash (ms)', description: String(tookOverAt! - killedAt) })
    console.log(`handover after the leader crashed: ${tookOverAt! - killedAt} ms`)

    await call(follower, 'a', 'whenSynced')
    expect(await prop(follower, 'a', 'pending')).toBe(0)
    expect(followerSockets).toBe(1)
    const parts = (text: string) => text.split(';').sort()
    const expected = ['', 'after', 'before', 'inflight', 'leader']
    expect(parts(await textOf(follower, 'a'))).toEqual(expected)
    const reader = await readFromRelay(browser, relay.url, 'crash')
    await eventually(async () => parts(await textOf(reader.page, 'reader')), expected)
    await reader.close()
  } finally {
    await own.close()
  }
})
