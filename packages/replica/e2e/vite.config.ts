import { fileURLToPath } from 'node:url'
import { defaultClientConditions, defineConfig } from 'vite'

/**
 * Serves the replica's test harness page from source (the `@driftless/source` condition), so the browser tests need
 * no package build. The root Playwright config starts it on a free port. No HMR: a source file saved
 * during a run must not reload the pages under test (a reloaded page loses its replicas mid-test); pages
 * opened afterwards get the new code.
 */
export default defineConfig({
  root: fileURLToPath(new URL('./harness', import.meta.url)),
  resolve: { conditions: ['@driftless/source', ...defaultClientConditions] },
  server: { host: '127.0.0.1', hmr: false },
  logLevel: 'warn',
})
