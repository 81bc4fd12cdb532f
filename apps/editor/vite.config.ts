import react from '@vitejs/plugin-react'
import { fileURLToPath } from 'node:url'
import { defaultClientConditions, defineConfig } from 'vite'

/** Live reload on source edits: opt in with DRIFTLESS_EDITOR_HMR=1 (off by default, so tests never see a page reload). */
const hmr = process.env.DRIFTLESS_EDITOR_HMR === '1'

/**
 * Works from any working directory (the root Playwright config runs `vite --config apps/editor/vite.config.ts`).
 * The `@driftless/source` condition makes Vite use the packages' TypeScript sources, so the page needs no package build.
 */
export default defineConfig({
  root: fileURLToPath(new URL('.', import.meta.url)),
  plugins: [react()],
  resolve: { conditions: ['@driftless/source', ...defaultClientConditions], dedupe: ['yjs', 'react', 'react-dom'] },
  optimizeDeps: {
    // Pre-bundled up front: discovering a dependency on first load would make Vite reload every open page.
    include: [
      '@driftless/replica', '@driftless/replica/presence', '@driftless/react', 'react', 'react-dom/client', 'react/jsx-runtime', 'yjs',
      '@tiptap/react', '@tiptap/starter-kit', '@tiptap/extension-collaboration', '@tiptap/extension-collaboration-caret',
    ],
    force: !hmr,
  },
  // Relative asset URLs: the same build works at / and under `npm start`'s /editor/.
  base: './',
  // TipTap and ProseMirror are most of the bundle (~236 KiB gzip in all); one chunk is fine for this app.
  build: { outDir: 'dist', emptyOutDir: true, chunkSizeWarningLimit: 1024 },
  server: {
    host: '127.0.0.1',
    port: 5174,
    hmr,
    ...(hmr ? {} : { watch: { ignored: ['**/*'] } }),
  },
  preview: { host: '127.0.0.1', port: 5174 },
})
