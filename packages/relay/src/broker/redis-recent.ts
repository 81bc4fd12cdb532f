import type { Redis } from 'ioredis'
import { NODE_FIELD, UPDATE_FIELD } from './redis-entry.js'
import { compareStreamIds } from './redis-ids.js'

interface Published {
  docId: string
  id: string
  update: Buffer
  at: number
}

/**
 * What this node published in the last few seconds. Redis acknowledges an XADD before its append-only file
 * reaches disk, so a Redis crash can lose the newest entries; after a restart they are published again, or
 * nodes that had not read them yet would never see those updates.
 */
export class RecentPublishes {
  private entries: Published[] = []

  constructor(private readonly windowMs: number, private readonly maxEntries: number) {}

  add(docId: string, id: string, update: Buffer): void {
    const now = Date.now()
    this.entries.push({ docId, id, update, at: now })
    let drop = 0
    while (drop < this.entries.length && (this.entries.length - drop > this.maxEntries || this.entries[drop]!.at < now - this.windowMs)) drop++
    if (drop > 0) this.entries = this.entries.slice(drop)
  }

  /**
   * Re-adds every remembered entry that the (restarted) server no longer has; returns how many. `onId` gets
   * each new id, per document, in order.
   */
  async republishMissing(redis: Redis, streamKey: (docId: string) => string, nodeId: string, onId: (docId: string, id: string) => void): Promise<number> {
    const now = Date.now()
    const byDoc = new Map<string, Published[]>()
    for (const entry of this.entries) {
      if (entry.at < now - this.windowMs) continue
      const list = byDoc.get(entry.docId) ?? []
      list.push(entry)
      byDoc.set(entry.docId, list)
    }
    let republished = 0
    for (const [docId, list] of byDoc) {
      const key = streamKey(docId)
      const ids = list.map((e) => e.id).sort(compareStreamIds)
      const present = new Set((await redis.xrange(key, ids[0]!, ids[ids.length - 1]!)).map(([id]) => id))
      for (const entry of list) {
        if (present.has(entry.id)) continue
        const id = await redis.xadd(key, '*', NODE_FIELD, nodeId, UPDATE_FIELD, entry.update)
        if (id === null) continue
        entry.id = id // so that a second restart checks for the new copy
        onId(docId, id)
        republished++
      }
    }
    return republished
  }
}
