import { createIndexedDbStorage } from './indexeddb.js'
import { createMemoryStorage } from './memory.js'
import type { StorageAdapter } from './types.js'

const shared = new Map<string, { adapter: StorageAdapter; refs: number }>()

/**
 * The adapter a replica uses. IndexedDB adapters are shared by every replica of the page (one connection per
 * database); a custom adapter is the caller's to close.
 */
export const acquireStorage = (
  kind: 'indexeddb' | 'memory' | StorageAdapter | undefined,
  name: string,
  durability: 'strict' | 'relaxed',
): { adapter: StorageAdapter; release(): Promise<void> } => {
  const resolved = kind ?? (typeof globalThis.indexedDB === 'object' ? 'indexeddb' : 'memory')
  if (resolved === 'memory') {
    const adapter = createMemoryStorage()
    return { adapter, release: () => adapter.close() }
  }
  if (resolved !== 'indexeddb') return { adapter: resolved, release: async () => undefined }
  const key = `${name}\u0000${durability}`
  let entry = shared.get(key)
  if (!entry) shared.set(key, (entry = { adapter: createIndexedDbStorage({ name, durability }), refs: 0 }))
  entry.refs++
  const current = entry
  let released = false
  return {
    adapter: current.adapter,
    async release() {
      if (released) return
      released = true
      if (--current.refs > 0) return
      if (shared.get(key) === current) shared.delete(key)
      await current.adapter.close()
    },
  }
}
