/**
 * Crashed sessions, found with Web Locks: every log holds a lock named after its stream for as long as it is
 * open; the browser releases it when the tab goes away, however it goes. A lock of an own-device stream that
 * can be taken at once therefore belongs to a session that is gone, and the stream can be retired. Web Locks
 * are shared by the tabs of one browser profile, like the IndexedDB that holds the device id.
 */

interface LockManagerLike {
  request(name: string, callback: (lock: unknown) => Promise<void> | void): Promise<void>
  request(name: string, options: { ifAvailable: boolean }, callback: (lock: unknown) => Promise<void> | void): Promise<void>
}

const locks = (): LockManagerLike | undefined =>
  (globalThis as { navigator?: { locks?: LockManagerLike } }).navigator?.locks

/** Whether this runtime has Web Locks. */
export const hasWebLocks = (): boolean => locks() !== undefined

const lockName = (stream: string): string => `driftless-events:${stream}`

/**
 * Holds the lock of `stream` until the returned function is called. The request is queued synchronously, so a
 * check by another tab made after this call cannot take it.
 */
export function holdStreamLock(stream: string): () => void {
  const manager = locks()
  if (manager === undefined) return () => undefined
  let release = (): void => undefined
  const held = new Promise<void>((resolve) => { release = resolve })
  manager.request(lockName(stream), () => held).catch(() => undefined)
  return release
}

/** The streams among `candidates` whose lock is free: their session is gone. */
export async function abandonedStreams(candidates: readonly string[]): Promise<string[]> {
  const manager = locks()
  if (manager === undefined) return []
  const abandoned: string[] = []
  for (const stream of candidates) {
    await manager.request(lockName(stream), { ifAvailable: true }, (lock) => {
      if (lock !== null) abandoned.push(stream)
    })
  }
  return abandoned
}
