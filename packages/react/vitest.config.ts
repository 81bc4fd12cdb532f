import { fileURLToPath } from 'node:url'
import { defineConfig } from 'vitest/config'
import { shared } from '../../vitest.shared.js'

/** React 18, its react-dom and a Testing Library that resolves them, from the compat workspace. */
const react18 = fileURLToPath(new URL('../../compat/react-18/node_modules/', import.meta.url))

const project = (major: '18' | '19', alias: { find: RegExp; replacement: string }[]) => ({
  ...shared,
  resolve: { ...shared.resolve, alias },
  test: {
    ...shared.test,
    name: `react-${major}`,
    env: { DRIFTLESS_REACT_MAJOR: major },
    include: ['test/**/*.test.{ts,tsx}'],
    environment: 'happy-dom',
  },
})

/** The same tests run twice: against React 19 (the workspace's) and React 18 (peer range ^18.2 || ^19). */
export default defineConfig({
  test: {
    projects: [
      project('19', []),
      project('18', [{ find: /^(react|react-dom|@testing-library\/react)(\/.*)?$/, replacement: `${react18}$1$2` }]),
    ],
  },
})
