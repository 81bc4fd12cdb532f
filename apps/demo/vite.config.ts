import { fileURLToPath } from 'node:url'
import { defaultClientConditions, defineConfig } from 'vite'

/** Live reload on source edits: opt in with DRIFTLESS_DEMO_HMR=1 (off by default, so tests never see a page reload). */
const hmr = process.env.DRIFTLESS_DEMO_HMR === '1'

/**
 * Works from any working directory (the root Playwright config runs `vite --config apps/demo/vite.config.ts`).
 * The `@driftless/source` condition makes Vite use the packages' TypeScript sources, so the page needs no package build.
 */
export default defineConfig({
  root: fileURLToPath(new URL('.', import.meta.url)),
  resolve: { conditions: ['@driftless/source', ...defaultClientConditions] },
  optimizeDeps: {
    // Pre-bundled up front: discovering a dependency on first load would make Vite reload every open page.
    // The Driftless packages are bundled too (from source), so a page load is a dozen requests, not sixty;
    // `force` rebuilds that bundle at every start, so it never serves a stale copy of the packages.
    include: [
      '@driftless/replica', '@driftless/replica/presence', '@driftless/replica/versions', '@driftless/events', '@driftless/events/examples/board',
      'yjs', 'y-protocols/awareness', 'idb', 'lib0/encoding', 'lib0/decoding', 'lib0/random',
    ],
    force: !hmr,
  },
  build: { outDir: 'dist', emptyOutDir: true },
  server: {
    host: '127.0.0.1',
    port: 5173,
    hmr,
    ...(hmr ? {} : { watch: { ignored: ['**/*'] } }),
  },
  preview: { host: '127.0.0.1', port: 5173 },
})
