import { readFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { dirname, join } from 'node:path'
import { configDefaults, defineConfig } from 'vitest/config'
import { shared } from '../../vitest.shared.js'

/**
 * The directory of `name` as the workspace at `from` resolves it. Asking npm's own resolution, rather than naming
 * a `node_modules` path, keeps working wherever a clean install hoists or nests the package.
 */
const packageDir = (from: string, name: string): string =>
  dirname(createRequire(new URL(from, import.meta.url)).resolve(`${name}/package.json`))

/**
 * Testing Library's ES module build. Its `main` is CommonJS, whose `require('react')` Node would answer from
 * Testing Library's own folder, whichever React that is; its ES build's imports go through the aliases below.
 */
const testingLibrary = (() => {
  const dir = packageDir('./package.json', '@testing-library/react')
  const { module } = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as { module: string }
  return join(dir, module)
})()

/** react and react-dom for one run: this package's own (19), or those of the compat workspace (18). */
const reactFrom = (from: string) => [
  { find: /^react(\/.*)?$/, replacement: `${packageDir(from, 'react')}$1` },
  { find: /^react-dom(\/.*)?$/, replacement: `${packageDir(from, 'react-dom')}$1` },
  { find: /^@testing-library\/react$/, replacement: testingLibrary },
]

const project = (major: '18' | '19', from: string, exclude: string[] = []) => ({
  ...shared,
  resolve: { ...shared.resolve, alias: reactFrom(from) },
  test: {
    ...shared.test,
    name: `react-${major}`,
    env: { DRIFTLESS_REACT_MAJOR: major },
    include: ['test/**/*.test.{ts,tsx}'],
    exclude: [...configDefaults.exclude, ...exclude],
    environment: 'happy-dom',
    // One Testing Library serves both runs, wherever npm puts it: processed by Vite rather than loaded by Node,
    // so its own `react` and `react-dom` imports take the run's aliases.
    server: { deps: { inline: ['@testing-library/react'] } },
  },
})

/** The same tests run twice: against React 19 (the workspace's) and React 18 (peer range ^18.2 || ^19). */
export default defineConfig({
  test: {
    projects: [
      project('19', './package.json'),
      // Bundle sizes do not depend on the React a test renders with: measured once, in the React 19 run.
      project('18', '../../compat/react-18/package.json', ['test/bundle-size.test.ts']),
    ],
  },
})
