import { existsSync } from 'node:fs'
import { defineConfig } from '@playwright/test'
import { chromium } from '@playwright/test'

/**
 * The Chromium to drive: $DRIFTLESS_CHROMIUM, else Playwright's own download, else Debian's /usr/bin/chromium.
 */
const findChromium = (): string | undefined => {
  const fromEnv = process.env.DRIFTLESS_CHROMIUM
  if (fromEnv) {
    if (!existsSync(fromEnv)) throw new Error(`DRIFTLESS_CHROMIUM=${fromEnv} does not exist`)
    return fromEnv
  }
  try {
    if (existsSync(chromium.executablePath())) return undefined // Playwright's own browser
  } catch { /* not installed */ }
  for (const path of ['/usr/bin/chromium', '/usr/bin/chromium-browser']) if (existsSync(path)) return path
  throw new Error(
    'No Chromium found. Install one: `apt-get install -y chromium` (Debian), or `npx playwright install chromium`, ' +
      'or point DRIFTLESS_CHROMIUM at a Chromium binary.',
  )
}

export default defineConfig({
  timeout: 60_000,
  expect: { timeout: 10_000 },
  fullyParallel: false,
  workers: 1,
  retries: 0,
  reporter: process.env.CI ? [['list']] : [['list']],
  use: {
    launchOptions: {
      executablePath: findChromium(),
      args: [
        '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
        '--disable-component-update', '--disable-sync',
      ],
    },
    trace: 'retain-on-failure',
  },
  projects: [
    { name: 'replica', testDir: 'packages/replica/e2e' },
    { name: 'testkit', testDir: 'packages/testkit/e2e' },
    { name: 'demo', testDir: 'apps/demo/e2e' },
  ],
})
