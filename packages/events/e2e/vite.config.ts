import { fileURLToPath } from 'node:url'
import { defaultClientConditions, defineConfig } from 'vite'

/** Serves the events test page from source (`@driftless/source` condition); the root Playwright config starts it for the `events` project. */
export default defineConfig({
  root: fileURLToPath(new URL('.', import.meta.url)),
  resolve: { conditions: ['@driftless/source', ...defaultClientConditions] },
  optimizeDeps: { include: ['yjs', 'idb', 'lib0/random'] },
  server: { host: '127.0.0.1', hmr: false, watch: { ignored: ['**/*'] } },
})
