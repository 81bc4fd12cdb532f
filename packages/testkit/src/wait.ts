/** Thrown by {@link waitUntil} when its condition does not hold in time. */
export class WaitTimeoutError extends Error {
  readonly code = 'timeout'
  constructor(what: string, timeoutMs: number) {
    super(`timed out after ${timeoutMs} ms waiting for ${what}`)
    this.name = 'WaitTimeoutError'
  }
}

/** Options of {@link waitUntil} beyond its timeout and description. */
export interface WaitOptions {
  /** Pause between two checks. A benchmark that measures latency wants it small. @default 10 */
  intervalMs?: number
}

/**
 * Checks `check` until it returns true, then resolves; throws a {@link WaitTimeoutError} naming `what` after
 * `timeoutMs`. A `check` that throws ends the wait with its error (a server that exited will not come up).
 *
 * @example
 * await waitUntil(() => replica.status === 'synced', 5_000, 'replica synced')
 */
export async function waitUntil(
  check: () => boolean | Promise<boolean>,
  timeoutMs = 10_000,
  what: string | (() => string) = 'condition',
  { intervalMs = 10 }: WaitOptions = {},
): Promise<void> {
  const deadline = performance.now() + timeoutMs
  while (!(await check())) {
    if (performance.now() >= deadline) throw new WaitTimeoutError(typeof what === 'string' ? what : what(), timeoutMs)
    await new Promise((resolve) => setTimeout(resolve, intervalMs))
  }
}

/**
 * Resolves true if `check` stays false for all of `ms`, false as soon as it holds: for proving that something
 * did not happen (a partitioned client received nothing) without sleeping blindly.
 */
export async function staysFalse(check: () => boolean, ms: number, { intervalMs = 10 }: WaitOptions = {}): Promise<boolean> {
  return await waitUntil(check, ms, '', { intervalMs }).then(
    () => false,
    (error: unknown) => {
      if (error instanceof WaitTimeoutError) return true
      throw error
    },
  )
}
