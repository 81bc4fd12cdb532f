import { createRequire } from 'node:module'

/**
 * A scale-out engine was configured but its client package is not installed. `pg` and `ioredis` are optional
 * peer dependencies, so a single-node relay does not install them. What to do: `npm install <packageName>`.
 */
export class MissingDependencyError extends Error {
  override readonly name = 'MissingDependencyError'
  readonly code = 'missingDependency'
  constructor(readonly packageName: string, feature: string, options?: { cause?: unknown }) {
    super(`${feature} needs the "${packageName}" package: run \`npm install ${packageName}\` next to @driftless/relay`, options)
  }
}

const require = createRequire(import.meta.url)

/** Loads an optional peer dependency on first use; a missing one becomes a {@link MissingDependencyError}. */
export function requireOptional<T>(packageName: string, feature: string): T {
  try {
    return require(packageName) as T
  } catch (error) {
    const missing = (error as { code?: unknown }).code === 'MODULE_NOT_FOUND' && String((error as Error).message).includes(`'${packageName}'`)
    if (missing) throw new MissingDependencyError(packageName, feature, { cause: error })
    throw error
  }
}
