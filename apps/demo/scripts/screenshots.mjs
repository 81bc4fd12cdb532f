// Regenerates the README's screenshots in docs/: `npm run screenshots -w @driftless/demo`.
// Starts `npm start` on free ports with a fresh data directory, drives two devices (browser contexts) in
// Chromium, and captures a desktop window and a 390 px phone.
import { spawn } from 'node:child_process'
import { existsSync, mkdtempSync, rmSync } from 'node:fs'
import { createServer } from 'node:net'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { createInterface } from 'node:readline'
import { fileURLToPath } from 'node:url'
import { chromium } from '@playwright/test'

const demo = resolve(fileURLToPath(new URL('..', import.meta.url)))
const root = resolve(demo, '../..')
const freePort = () => new Promise((done) => {
  const probe = createServer().listen(0, '127.0.0.1', () => {
    const { port: free } = probe.address()
    probe.close(() => done(free))
  })
})
const [port, relayPort] = [await freePort(), await freePort()]
const data = mkdtempSync(join(tmpdir(), 'driftless-shots-'))
const start = spawn(process.execPath, ['scripts/start.mjs', '--port', String(port), '--relay-port', String(relayPort), '--data', data], { cwd: root, stdio: ['ignore', 'pipe', 'inherit'] })
const url = await new Promise((done) => createInterface({ input: start.stdout }).on('line', (line) => {
  const match = /\[start\] demo: +(\S+)/.exec(line)
  if (match) done(match[1])
}))

const executablePath = process.env.DRIFTLESS_CHROMIUM ?? (existsSync('/usr/bin/chromium') ? '/usr/bin/chromium' : undefined)
const browser = await chromium.launch({ executablePath, args: ['--no-sandbox', '--disable-gpu'] })
try {
  const open = async (viewport) => {
    const context = await browser.newContext({ viewport, deviceScaleFactor: 1 })
    const page = await context.newPage()
    await page.goto(url)
    await page.getByTestId('board').and(page.locator('[data-ready="true"]')).waitFor()
    return page
  }
  const add = async (page, column, text) => {
    await page.getByTestId(`new-card-${column}`).fill(text)
    await page.getByTestId(`new-card-${column}`).press('Enter')
  }
  const desktop = await open({ width: 1200, height: 720 })
  const phone = await open({ width: 390, height: 844 })
  await desktop.getByTestId('peer').first().waitFor()
  for (const text of ['Sketch the onboarding flow', 'Write release notes for 0.2', 'Check the offline banner copy']) await add(desktop, 'todo', text)
  for (const text of ['Review the relay CLI errors', 'Pack-and-install test in CI']) await add(desktop, 'doing', text)
  await add(desktop, 'done', 'Stable device names')
  await add(desktop, 'done', 'Card text grows with what you write: a long note wraps onto as many lines as it needs instead of being cut off')
  await add(desktop, 'todo', 'An idea for later')
  await desktop.getByTestId('cards-todo').getByTestId('card').last().getByTestId('archive').click()
  await desktop.locator('details.archived').evaluate((details) => { details.open = true })
  await phone.getByText('Pack-and-install test in CI').or(phone.locator('textarea')).first().waitFor()
  await phone.waitForFunction(() => document.querySelectorAll('[data-testid="cards-doing"] textarea').length === 2)
  // Both devices take the last place in "Doing", one while offline: one of them is refused everywhere.
  await phone.getByTestId('offline-toggle').check()
  await add(phone, 'doing', 'Ship the demo screenshots')
  await add(desktop, 'doing', 'Fix the flaky reconnect test')
  await phone.getByTestId('offline-toggle').uncheck()
  await desktop.getByTestId('violation').waitFor()
  await phone.getByTestId('violation').waitFor()
  await desktop.getByTestId('cards-doing').getByTestId('card-text').first().focus()
  await phone.getByTestId('cards-doing').getByTestId('card-text').nth(1).focus()
  await desktop.getByTestId('card-peers').locator('.dot').first().waitFor()
  await desktop.waitForTimeout(300)
  await desktop.screenshot({ path: join(demo, 'docs/desktop.png'), fullPage: true })
  await phone.getByTestId('offline-toggle').check()
  await add(phone, 'todo', 'Written on the train')
  await phone.getByTestId('status').filter({ hasText: 'offline' }).waitFor()
  await phone.waitForTimeout(300)
  await phone.screenshot({ path: join(demo, 'docs/phone-390.png'), fullPage: true })
} finally {
  await browser.close()
  start.kill('SIGTERM')
  await new Promise((done) => start.once('exit', done))
  rmSync(data, { recursive: true, force: true })
}
