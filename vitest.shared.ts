import type { ViteUserConfig } from 'vitest/config'

/**
 * Tests run against each package's TypeScript source (the `@driftless/source` export condition), never a build.
 * The condition is named after the project so a consumer's own `customConditions` never selects our sources.
 */
export const sourceCondition = '@driftless/source'

export const shared: ViteUserConfig = {
  resolve: { conditions: [sourceCondition] },
  ssr: { resolve: { conditions: [sourceCondition], externalConditions: [sourceCondition] } },
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 30_000,
    hookTimeout: 30_000,
  },
}
