import type { Page, TestInfo } from '@playwright/test'
import { expect, type Client, type DriftlessFixtures } from '@driftless/testkit'

/** Where Playwright's web server serves the editor (root playwright.config.ts picks a free port). */
export const editorUrl = process.env.DRIFTLESS_E2E_EDITOR_URL ?? 'http://127.0.0.1:5174/'

/** A document id no other test (or earlier run) uses. */
export function uniqueDoc(testInfo: TestInfo): string {
  const slug = testInfo.titlePath.at(-1)?.toLowerCase().replace(/[^a-z0-9]+/g, '-').slice(0, 30) ?? 'test'
  return `e2e-${slug}-${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 6)}`
}

/** Waits until the open document has loaded from this device and its editor is on screen. */
export async function editorReady(page: Page): Promise<void> {
  await expect(page.getByTestId('document')).toHaveAttribute('data-ready', 'true')
  await expect(page.getByTestId('editor')).toBeVisible()
}

/**
 * Opens one device per name, each showing document `doc` in `tabs` tabs, behind the kit's proxies. The name
 * is the one the editor remembers for that browser, so each device's caret shows a known name.
 */
export async function openEditors(
  openClients: DriftlessFixtures['openClients'],
  names: readonly string[],
  doc: string,
  tabs = 1,
): Promise<Client[]> {
  const clients = await openClients(names.length, { url: editorUrl, query: { doc }, ready: editorReady, tabs: 0 })
  await Promise.all(clients.map(async (client, index) => {
    await client.context.addInitScript((name) => window.localStorage.setItem('driftless-editor:user', name), names[index]!)
    for (let tab = 0; tab < tabs; tab++) await client.openTab()
  }))
  return clients
}

/** The document body as Yjs holds it (ProseMirror XML), read through the page's replica. */
export function readBody(page: Page): Promise<string> {
  return page.evaluate(() => {
    const [replica] = [...(window.driftlessEditor?.replicas.values() ?? [])]
    if (!replica) throw new Error('no document open')
    return replica.doc.getXmlFragment('body').toString()
  })
}

/** Starts a paragraph of one's own at the end of the document, tagged `marker`, by typing as a user does. */
export async function startParagraph(page: Page, marker: string): Promise<void> {
  await page.getByTestId('editor').click()
  await page.keyboard.press('Control+End')
  await page.keyboard.press('Enter')
  await page.keyboard.type(`${marker} `)
}

/** Types `text` at the end of the paragraph tagged `marker`: one writer per paragraph keeps fragments whole. */
export async function typeInParagraph(page: Page, marker: string, text: string): Promise<void> {
  await page.getByTestId('editor').locator('p', { hasText: marker }).click()
  await page.keyboard.press('End')
  await page.keyboard.type(text)
}

/** The indicator's label ("Saved on the server", "Offline – 3 changes waiting", …). */
export const saveState = (page: Page) => page.getByTestId('document').getByTestId('save-state').locator('.save-state__label')

/** The text on screen, paragraph by paragraph, without other people's carets and name labels. */
export function readScreen(page: Page): Promise<string[]> {
  return page.getByTestId('editor').evaluate((editor) => {
    const copy = editor.cloneNode(true) as HTMLElement
    for (const caret of copy.querySelectorAll('.collaboration-carets__caret')) caret.remove()
    return [...copy.querySelectorAll('p')].map((paragraph) => paragraph.textContent ?? '')
  })
}
