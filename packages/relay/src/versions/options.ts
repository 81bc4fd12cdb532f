/** Version-history options of `createRelay` (all optional). */
export interface VersionOptions {
  /**
   * Take an automatic version of a document once it was edited and then got no update for this long;
   * 0 turns idle versions off.
   * @default 300_000 (5 minutes)
   */
  versionAfterIdleMs?: number
  /**
   * Also take an automatic version after this many committed updates since the last one; 0 turns it off.
   * @default 0
   */
  versionEveryUpdates?: number
  /**
   * Retention per document: named versions are always kept; of automatic (and before-restore) versions
   * only the newest `automatic` are, older ones are deleted from storage.
   * @default { automatic: 50 }
   */
  keepVersions?: { automatic?: number }
  /**
   * Longest a restore's computation may take (it runs on a worker thread, off the event loop); past it the
   * restore is refused with `restoreFailed` and nothing changes. A 4.2 MB text takes about 5 s here.
   * @default 60_000
   */
  restoreTimeoutMs?: number
}

export interface ResolvedVersionOptions {
  afterIdleMs: number
  everyUpdates: number
  keepAutomatic: number
  restoreTimeoutMs: number
}

/** Longest version name, in UTF-8 bytes. */
export const MAX_VERSION_NAME_BYTES = 256

const nonNegative = (name: string, value: number): number => {
  if (!Number.isInteger(value) || value < 0) throw new RangeError(`${name} must be a non-negative integer, got ${value}`)
  return value
}

const positive = (name: string, value: number): number => {
  if (!Number.isInteger(value) || value <= 0) throw new RangeError(`${name} must be a positive integer, got ${value}`)
  return value
}

export const resolveVersionOptions = (options: VersionOptions): ResolvedVersionOptions => ({
  afterIdleMs: nonNegative('versionAfterIdleMs', options.versionAfterIdleMs ?? 300_000),
  everyUpdates: nonNegative('versionEveryUpdates', options.versionEveryUpdates ?? 0),
  keepAutomatic: nonNegative('keepVersions.automatic', options.keepVersions?.automatic ?? 50),
  restoreTimeoutMs: positive('restoreTimeoutMs', options.restoreTimeoutMs ?? 60_000),
})
