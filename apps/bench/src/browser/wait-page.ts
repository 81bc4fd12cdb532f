import type { Page } from 'playwright-core'

/** Waits until the page's script defined `global` on window, or throws the page's own error. */
export const waitForPageApi = async (page: Page, global: 'benchPersistence' | 'benchTab', timeoutMs = 30_000): Promise<void> => {
  await page.waitForFunction((name) => window[name as 'benchTab'] !== undefined || window.benchError !== undefined, global, { timeout: timeoutMs })
  const error = await page.evaluate(() => window.benchError)
  if (error) throw new Error(`page failed: ${error.slice(0, 200)}`)
}
