import { build } from 'esbuild'
import { join } from 'node:path'
import { BENCH_DIR } from '../paths.js'

/** The browser pages, each an entry under src/browser/pages. */
export type PageName = 'y-indexeddb' | 'driftless-indexeddb' | 'tab-y-websocket' | 'tab-hocuspocus' | 'tab-driftless'

const cache = new Map<PageName, Promise<string>>()

/** Bundles a page's script for Chromium (ESM, browser conditions); cached per run. */
export const bundlePage = (page: PageName): Promise<string> => {
  let bundled = cache.get(page)
  if (!bundled) {
    bundled = build({
      entryPoints: [join(BENCH_DIR, 'src', 'browser', 'pages', `${page}.ts`)],
      bundle: true,
      write: false,
      format: 'esm',
      platform: 'browser',
      target: 'es2022',
      alias: { 'bench:driftless-replica': '@driftless/replica' },
      logLevel: 'silent',
    }).then((result) => result.outputFiles[0]?.text ?? '')
    cache.set(page, bundled)
  }
  return bundled
}
