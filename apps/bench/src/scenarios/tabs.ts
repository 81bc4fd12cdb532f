import type { Scenario } from '../scenario.js'
import { repeatAlternating, rowFrom, serverSystems, tempDir } from '../scenario.js'
import { launchChromium } from '../browser/chromium.js'
import { startPageServer } from '../browser/page-server.js'
import { waitForPageApi } from '../browser/wait-page.js'
import { bundlePage, type PageName } from '../browser/bundle.js'
import { startServer } from '../proc/server-process.js'
import { sleep } from '../wait.js'

const SCENARIO = '7. tabs'
const PAGES: Record<'driftless' | 'y-websocket' | 'hocuspocus', PageName> = {
  driftless: 'tab-driftless',
  'y-websocket': 'tab-y-websocket',
  hocuspocus: 'tab-hocuspocus',
}

/** Ten tabs of one document in one browser: how many websockets do they hold? */
export const tabs: Scenario = {
  id: 'tabs',
  title: SCENARIO,
  async run(context) {
    const count = context.config.tabs.tabs
    const { unavailable } = serverSystems(context)
    // Browser pages do not need the Node replica; only the relay and the page bundle.
    const systems = (['driftless', 'y-websocket', 'hocuspocus'] as const).filter((s) => s !== 'driftless' || !unavailable.driftless)
    const pages = await startPageServer()
    const browser = await launchChromium()
    try {
      const results = await repeatAlternating(context, systems, async (system, rep) => {
        await bundlePage(PAGES[system]) // a bundling error reads better here than as a failed page load
        const data = tempDir('tabs')
        const server = await startServer(system, { dataDir: system === 'driftless' ? data.path : undefined })
        const browserContext = await browser.newContext()
        let opened = 0
        let closed = 0
        try {
          // Tabs open together, as when a browser restores a session.
          await Promise.all(Array.from({ length: count }, async () => {
            const page = await browserContext.newPage()
            page.on('websocket', (socket) => {
              opened++
              socket.on('close', () => { closed++ })
            })
            await page.goto(pages.url(PAGES[system], { url: server.url, doc: `tabs-${rep}` }))
            await waitForPageApi(page, 'benchTab')
            await page.waitForFunction(() => window.benchTab?.synced() === true, undefined, { timeout: 60_000, polling: 20 })
          }))
          await sleep(1_000)
          return { open: opened - closed, opened }
        } finally {
          await browserContext.close()
          await server.stop()
          data.remove()
        }
      })
      return {
        rows: [
          rowFrom({ scenario: SCENARIO, metric: `websockets open for ${count} tabs of one document`, key: 'open', unit: 'count', better: 'lower',
            target: { kind: 'atMost', value: 1, text: `${count} tabs → 1 socket` } }, results, unavailable),
          rowFrom({ scenario: SCENARIO, metric: 'websockets opened in total', key: 'opened', unit: 'count', better: 'lower' }, results, unavailable),
        ],
        method: `${count} pages of one Chromium browser context (tabs of one browser) each open the same document against a fresh server (y-websocket's WebsocketProvider with its default BroadcastChannel, HocuspocusProvider, a Driftless replica with IndexedDB). Once every tab reports synced and a further second has passed, websockets are counted with Playwright's page 'websocket' events (open = opened − closed).`,
      }
    } finally {
      await browser.close()
      await pages.close()
    }
  },
}
