import type { Page, TestInfo } from '@playwright/test'
import { expect, type Client, type DriftlessFixtures, type OpenClientsOptions } from '@driftless/testkit'

/** Where Playwright's web server serves the demo (root playwright.config.ts picks a free port). */
export const demoUrl = process.env.DRIFTLESS_E2E_DEMO_URL ?? 'http://127.0.0.1:5173/'

/** The board's columns, as ids. */
export const columnIds = ['todo', 'doing', 'done'] as const

/** What tests compare across tabs: card texts per column, in display order. */
export type BoardState = Record<string, string[]>

/** A document id no other test (or earlier run) uses. */
export function uniqueDoc(testInfo: TestInfo): string {
  const slug = testInfo.titlePath.at(-1)?.toLowerCase().replace(/[^a-z0-9]+/g, '-').slice(0, 40) ?? 'test'
  return `e2e-${slug}-${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 6)}`
}

/** Waits until the board has loaded its document from IndexedDB and rendered. */
export async function boardReady(page: Page): Promise<void> {
  await expect(page.getByTestId('board')).toHaveAttribute('data-ready', 'true')
}

/** Opens `count` devices with `tabs` tabs each on the demo, for document `doc`, behind the kit's proxies. */
export function openBoards(
  openClients: DriftlessFixtures['openClients'],
  count: number,
  doc: string,
  options: Omit<OpenClientsOptions, 'url' | 'query' | 'ready'> = {},
): Promise<Client[]> {
  return openClients(count, { ...options, url: demoUrl, query: { doc }, ready: boardReady })
}

/** Reads the board from the document (through the page's replica). */
export function readDoc(page: Page): Promise<BoardState> {
  return page.evaluate(() => {
    const demo = window.driftlessDemo
    if (!demo) throw new Error('board not loaded')
    const snapshot = demo.snapshot()
    return Object.fromEntries(Object.entries(snapshot).map(([column, cards]) => [column, cards.map((card) => card.text)]))
  })
}

/** Reads the board from what the user sees: textarea values per column, in on-screen order. */
export function readDom(page: Page): Promise<BoardState> {
  return page.evaluate((ids) => {
    const state: Record<string, string[]> = {}
    for (const id of ids) {
      const fields = document.querySelectorAll<HTMLTextAreaElement>(`[data-testid="cards-${id}"] [data-testid="card-text"]`)
      state[id] = [...fields].map((field) => field.value)
    }
    return state
  }, [...columnIds])
}

/** Adds a card to "To do" the way a user does: type into the column's input and press Enter. */
export async function addCardByTyping(page: Page, text: string): Promise<void> {
  const input = page.getByTestId('new-card-todo')
  await input.fill(text)
  await input.press('Enter')
}

/** Adds a card to any column the way a user does: type into that column's input and press Enter. */
export async function addCardTo(page: Page, column: (typeof columnIds)[number], text: string): Promise<void> {
  const input = page.getByTestId(`new-card-${column}`)
  await input.fill(text)
  await input.press('Enter')
}

/** The refusals the page shows (banner texts), in order. */
export function readViolations(page: Page): Promise<string[]> {
  return page.getByTestId('violation').locator('span').allTextContents()
}

/** Adds a card through the board's API and waits until it is in this device's IndexedDB. */
export async function addCardSaved(page: Page, text: string): Promise<void> {
  await page.evaluate(async (cardText) => {
    const demo = window.driftlessDemo
    if (!demo) throw new Error('board not loaded')
    demo.board.addCard('todo', cardText)
    await demo.replica.whenSaved()
  }, text)
}

/** Waits until the relay has committed every change this tab's replica made so far. */
export async function waitSynced(page: Page): Promise<void> {
  await page.evaluate(async () => {
    await window.driftlessDemo?.replica.whenSynced()
  })
}

/** Every card text on the board, in any column. */
export function allTexts(state: BoardState): string[] {
  return Object.values(state).flat()
}

/** Counts of each text: a set check that also catches duplicates. */
export function tally(texts: readonly string[]): Map<string, number> {
  const counts = new Map<string, number>()
  for (const text of texts) counts.set(text, (counts.get(text) ?? 0) + 1)
  return counts
}

/** Asserts the board holds exactly `expected` (each once), in whatever order and column. */
export function expectExactly(state: BoardState, expected: readonly string[]): void {
  const actual = tally(allTexts(state))
  const missing = expected.filter((text) => !actual.has(text))
  const duplicated = [...actual].filter(([, count]) => count > 1).map(([text]) => text)
  const unexpected = [...actual.keys()].filter((text) => !expected.includes(text))
  expect({ missing, duplicated, unexpected }).toEqual({ missing: [], duplicated: [], unexpected: [] })
}

/** Saves a screenshot of one page as a test artifact. */
export async function attachScreenshot(page: Page, testInfo: TestInfo, name: string): Promise<void> {
  await testInfo.attach(name, { body: await page.screenshot({ fullPage: true }), contentType: 'image/png' })
}

/** Clicks the "move right" button of the card showing `text`, as a user would. */
export async function moveRight(page: Page, text: string): Promise<void> {
  const state = await readDoc(page)
  for (const [column, texts] of Object.entries(state)) {
    const index = texts.indexOf(text)
    if (index >= 0) {
      await page.getByTestId(`cards-${column}`).getByTestId('card').nth(index).getByTestId('move-right').click()
      return
    }
  }
  throw new Error(`no card "${text}" on the board`)
}
