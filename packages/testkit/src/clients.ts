import type { Browser, BrowserContext, Page } from '@playwright/test'
import type { PartitionMode, TcpProxy } from './proxy.js'

/** Options of `openClients`. */
export interface OpenClientsOptions {
  /** Tabs (pages) per client; they share the client's storage, BroadcastChannel and Web Locks. @default 1 */
  tabs?: number
  /**
   * The app's URL. A string gets the relay address appended as the query parameter `relayParam`;
   * a function receives the relay address (the client's proxy) and returns the full URL.
   * Relative URLs resolve against Playwright's `baseURL`.
   * @default '/'
   */
  url?: string | ((relayUrl: string) => string)
  /** Query parameter that carries the relay address when `url` is a string. @default 'relay' */
  relayParam?: string
  /** Extra query parameters appended to a string `url`, e.g. `{ doc: 'board-1' }`. @default {} */
  query?: Record<string, string>
  /** Waits for each page to be ready after navigation, e.g. a `data-testid` being visible. @default none */
  ready?: (page: Page) => Promise<void>
}

/**
 * One device: an isolated browser context (its own IndexedDB, BroadcastChannel and Web Locks) with
 * one or more tabs, reaching the relay through its own TCP proxy.
 */
export class Client {
  /** Open tabs, in the order they were opened. */
  readonly pages: Page[] = []

  constructor(
    /** Position in the list returned by `openClients`. */
    readonly index: number,
    /** The browser context: one device. */
    readonly context: BrowserContext,
    /** This device's own proxy to the relay. */
    readonly proxy: TcpProxy,
    /** The app URL every tab of this device opens. */
    readonly appUrl: string,
    private readonly ready: ((page: Page) => Promise<void>) | undefined,
  ) {}

  /** A readable name for reports: `client 1`. */
  get name(): string {
    return `client ${this.index}`
  }

  /** The relay address this device's tabs use (its proxy): stable across relay restarts. */
  get relayUrl(): string {
    return this.proxy.wsUrl
  }

  /** Whether this device is cut from the relay. */
  get partitioned(): boolean {
    return this.proxy.partitioned
  }

  /** Opens one more tab on the app URL. */
  async openTab(): Promise<Page> {
    const page = await this.context.newPage()
    this.pages.push(page)
    await page.goto(this.appUrl)
    await this.ready?.(page)
    return page
  }

  /** Closes a tab, like a user closing it. */
  async closeTab(page: Page): Promise<void> {
    const at = this.pages.indexOf(page)
    if (at >= 0) this.pages.splice(at, 1)
    await page.close()
  }

  /** Reloads one tab, or every tab of this device. */
  async reload(page?: Page): Promise<void> {
    for (const tab of page ? [page] : [...this.pages]) {
      await tab.reload()
      await this.ready?.(tab)
    }
  }

  /** A readable name for one of this device's tabs: `client 1 / tab 0`. */
  tabName(page: Page): string {
    return `${this.name} / tab ${this.pages.indexOf(page)}`
  }
}

/** Cuts one device from the relay: live sockets are destroyed, new ones refused until {@link heal}. */
export function partition(client: Client, mode: PartitionMode = 'refuse'): void {
  client.proxy.partition(mode)
}

/** Restores one device's connection to the relay. */
export function heal(client: Client): void {
  client.proxy.heal()
}

/** Builds the URL one device opens. */
export function appUrlFor(relayUrl: string, options: OpenClientsOptions): string {
  const { url = '/', relayParam = 'relay', query = {} } = options
  if (typeof url === 'function') return url(relayUrl)
  const [path = '', hash] = url.split('#')
  const params = new URLSearchParams({ [relayParam]: relayUrl, ...query })
  const joined = `${path}${path.includes('?') ? '&' : '?'}${params.toString()}`
  return hash === undefined ? joined : `${joined}#${hash}`
}

/** Opens `count` devices with `options.tabs` tabs each; used by the `openClients` fixture. */
export async function openClientsWith(
  browser: Browser,
  createProxy: () => Promise<TcpProxy>,
  count: number,
  options: OpenClientsOptions,
  contextOptions: { baseURL?: string | undefined },
): Promise<Client[]> {
  const clients: Client[] = []
  for (let index = 0; index < count; index++) {
    const proxy = await createProxy()
    const context = await browser.newContext(contextOptions.baseURL ? { baseURL: contextOptions.baseURL } : {})
    const client = new Client(index, context, proxy, appUrlFor(proxy.wsUrl, options), options.ready)
    clients.push(client)
  }
  // Tabs of one device open one after another: the first claims leadership, as a user would see it.
  await Promise.all(
    clients.map(async (client) => {
      for (let tab = 0; tab < (options.tabs ?? 1); tab++) await client.openTab()
    }),
  )
  return clients
}
