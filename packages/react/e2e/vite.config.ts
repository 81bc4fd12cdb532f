import react from '@vitejs/plugin-react'
import { fileURLToPath } from 'node:url'
import { defaultClientConditions, defineConfig, type Plugin } from 'vite'
import type * as ServerPage from './page/server.js'

const root = fileURLToPath(new URL('./page', import.meta.url))

/** Renders the page on the server (react-dom/server in Node) into index.html, so the browser hydrates real markup. */
const serverRender = (): Plugin => ({
  name: 'driftless-server-render',
  async transformIndexHtml(html, context) {
    if (!context.server) return html
    const { renderPage } = (await context.server.ssrLoadModule('/server.tsx')) as typeof ServerPage
    return html.replace('<!--app-->', renderPage(new URL(context.originalUrl ?? '/', 'http://x').search))
  },
})

/** The hydration page for `e2e/hydrate.spec.ts`: packages from source, no HMR. */
export default defineConfig({
  root,
  plugins: [react(), serverRender()],
  resolve: { conditions: ['@driftless/source', ...defaultClientConditions], dedupe: ['yjs', 'react', 'react-dom'] },
  ssr: { noExternal: [/^@driftless\//], resolve: { conditions: ['@driftless/source'], externalConditions: ['@driftless/source'] } },
  optimizeDeps: { include: ['@driftless/replica', 'react', 'react-dom/client', 'react/jsx-runtime', 'yjs'], force: true },
  server: { hmr: false, watch: { ignored: ['**/*'] } },
})
