import { createServer, type Server } from 'node:http'
import { bundlePage, type PageName } from './bundle.js'

/** An HTTP server on 127.0.0.1 (a secure context for IndexedDB, Web Locks, BroadcastChannel) serving the pages. */
export interface PageServer {
  /** The page's address; `query` is passed to the page as its query string. */
  url(page: PageName, query?: Record<string, string>): string
  close(): Promise<void>
}

const html = (page: string): string =>
  `<!doctype html><meta charset="utf-8"><title>${page}</title>` +
  `<script type="module">window.addEventListener('error', (e) => { window.benchError = String(e.message) }); import('/${page}.js').catch((e) => { window.benchError = String(e) })</script>`

/** Starts the page server; bundles each page on first request. */
export const startPageServer = async (): Promise<PageServer> => {
  const server: Server = createServer((req, res) => {
    const path = new URL(req.url ?? '/', 'http://127.0.0.1').pathname
    const match = /^\/([a-z-]+)(\.js)?$/.exec(path)
    const page = match?.[1] as PageName | undefined
    if (!page) {
      res.writeHead(404).end()
      return
    }
    if (!match?.[2]) {
      res.writeHead(200, { 'content-type': 'text/html' }).end(html(page))
      return
    }
    bundlePage(page).then(
      (code) => res.writeHead(200, { 'content-type': 'text/javascript' }).end(code),
      (error: unknown) => res.writeHead(500).end(String(error)),
    )
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const address = server.address()
  const port = typeof address === 'object' && address ? address.port : 0
  return {
    url: (page, query = {}) => `http://127.0.0.1:${port}/${page}?${new URLSearchParams(query).toString()}`,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  }
}
