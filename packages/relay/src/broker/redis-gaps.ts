import type { Redis } from 'ioredis'
import { compareStreamIds } from './redis-ids.js'

/**
 * Whether entries after `lastId` were deleted before this node read them: trimmed (`markDurable`,
 * `MAXLEN`) while it lagged or was disconnected, or the stream is gone altogether. Trimming does not
 * update `max-deleted-entry-id`, so the test is: entries were deleted (`entries-added` > `length`) and the
 * oldest one left is newer than the last one read. It can also be true when exactly the entries up to
 * `lastId` were trimmed; a needless reload is cheap, a missed update is not.
 */
export async function missedEntries(redis: Redis, key: string, lastId: string): Promise<boolean> {
  let info: unknown
  try {
    info = await redis.xinfo('STREAM', key)
  } catch {
    return lastId !== '0-0' // no stream any more
  }
  if (!Array.isArray(info)) return true
  const field = (name: string): unknown => {
    const at = info.indexOf(name)
    return at >= 0 ? info[at + 1] : undefined
  }
  const added = field('entries-added')
  const length = field('length')
  const firstEntry = field('first-entry')
  if (typeof added !== 'number' || typeof length !== 'number') return true // Redis < 7 does not say
  if (added <= length) return false
  const firstId = Array.isArray(firstEntry) ? firstEntry[0] : undefined
  if (typeof firstId !== 'string') return lastId !== '0-0' // emptied
  return compareStreamIds(firstId, lastId) > 0
}
