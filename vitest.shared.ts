import type { ViteUserConfig } from 'vitest/config'

/** Tests run against each package's TypeScript source (the `source` export condition), never a build. */
export const shared: ViteUserConfig = {
  resolve: { conditions: ['source'] },
  ssr: { resolve: { conditions: ['source'], externalConditions: ['source'] } },
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 30_000,
    hookTimeout: 30_000,
  },
}
