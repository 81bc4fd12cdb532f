import { existsSync } from 'node:fs'
import { createServer } from 'node:net'
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

/** A port nothing listens on right now, from the OS. */
const freePort = (): Promise<number> =>
  new Promise((resolve, reject) => {
    const server = createServer()
    server.once('error', reject)
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number }
      server.close(() => resolve(port))
    })
  })

/**
 * Pages under test are served by Vite from source. Each suite that needs one owns a `vite.config.ts`;
 * a server is only started for suites that have one. Ports are free ones picked once by the runner and
 * handed to its workers (which load this file again) and to the specs through `env`, so two checkouts can
 * run their suites side by side.
 */
const pageServers = [
  { config: 'packages/replica/e2e/vite.config.ts', env: 'DRIFTLESS_E2E_REPLICA_URL' },
  { config: 'apps/demo/vite.config.ts', env: 'DRIFTLESS_E2E_DEMO_URL' },
  { config: 'packages/events/e2e/vite.config.ts', env: 'DRIFTLESS_E2E_EVENTS_URL' },
  { config: 'apps/editor/vite.config.ts', env: 'DRIFTLESS_E2E_EDITOR_URL' },
  { config: 'packages/react/e2e/vite.config.ts', env: 'DRIFTLESS_E2E_REACT_URL' },
].filter(({ config }) => existsSync(config))
for (const server of pageServers) process.env[server.env] ??= `http://127.0.0.1:${await freePort()}/`
const portOf = (url: string): number => Number(new URL(url).port)

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
  webServer: pageServers.map(({ config, env }) => ({
    command: `npx vite --config ${config} --host 127.0.0.1 --port ${portOf(process.env[env]!)} --strictPort`,
    url: process.env[env]!,
    reuseExistingServer: false,
    timeout: 60_000,
  })),
  projects: [
    { name: 'replica', testDir: 'packages/replica/e2e' },
    { name: 'testkit', testDir: 'packages/testkit/e2e' },
    { name: 'events', testDir: 'packages/events/e2e', use: { baseURL: process.env.DRIFTLESS_E2E_EVENTS_URL } },
    { name: 'demo', testDir: 'apps/demo/e2e' },
    { name: 'editor', testDir: 'apps/editor/e2e' },
    { name: 'react', testDir: 'packages/react/e2e' },
  ],
})
