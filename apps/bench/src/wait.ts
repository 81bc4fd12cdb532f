/** Thrown when `withTimeout` runs out of time. */
export class BenchTimeoutError extends Error {
  readonly code = 'timeout'
  constructor(what: string, ms: number) {
    super(`${what}: not done within ${ms} ms`)
  }
}

export const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms))

/** Yields to the event loop so sockets can flush. */
export const tick = (): Promise<void> => new Promise((resolve) => setImmediate(resolve))

/** Rejects with BenchTimeoutError if `promise` does not settle within `timeoutMs`. */
export const withTimeout = async <T>(what: string, promise: Promise<T>, timeoutMs: number): Promise<T> => {
  let timer: NodeJS.Timeout | undefined
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new BenchTimeoutError(what, timeoutMs)), timeoutMs)
  })
  try {
    return await Promise.race([promise, timeout])
  } finally {
    clearTimeout(timer)
  }
}
