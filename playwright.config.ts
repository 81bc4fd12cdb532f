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

/**
 * Pages under test are served by Vite from source. Each suite that needs one owns a `vite.config.ts`;
 * a server is only started for suites that have one.
 */
const pageServers = [
  { config: 'packages/replica/e2e/vite.config.ts', port: 5174 },
  { config: 'apps/demo/vite.config.ts', port: 5173 },
  { config: 'packages/events/e2e/vite.config.ts', port: 5175 },
].filter(({ config }) => existsSync(config))

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
  webServer: pageServers.map(({ config, port }) => ({
    command: `npx vite --config ${config} --host 127.0.0.1 --port ${port} --strictPort`,
    url: `http://127.0.0.1:${port}`,
    reuseExistingServer: !process.env.CI,
    timeout: 60_000,
  })),
  projects: [
    { name: 'replica', testDir: 'packages/replica/e2e' },
    { name: 'testkit', testDir: 'packages/testkit/e2e' },
    { name: 'events', testDir: 'packages/events/e2e', use: { baseURL: 'http://127.0.0.1:5175' } },
    { name: 'demo', testDir: 'apps/demo/e2e' },
  ],
})
