import { defineConfig } from '@playwright/test'

/**
 * Events' own Playwright setup (run: npx playwright test --config packages/events/e2e/playwright.config.ts).
 * Debian's Chromium unless DRIFTLESS_CHROMIUM says otherwise.
 */
export default defineConfig({
  testDir: '.',
  timeout: 60_000,
  workers: 1,
  retries: 0,
  reporter: [['list']],
  outputDir: '../../../test-results/events',
  use: {
    baseURL: 'http://127.0.0.1:5175',
    launchOptions: {
      executablePath: process.env.DRIFTLESS_CHROMIUM ?? '/usr/bin/chromium',
      args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
    },
  },
  webServer: {
    command: 'npx vite --config packages/events/e2e/vite.config.ts --host 127.0.0.1 --port 5175 --strictPort',
    cwd: '../../..',
    url: 'http://127.0.0.1:5175',
    reuseExistingServer: false,
    timeout: 60_000,
  },
})
