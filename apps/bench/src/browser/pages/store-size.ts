/** Approximate bytes of a stored value: typed arrays by length, strings by UTF-16 length, objects recursively. */
const sizeOf = (value: unknown): number => {
  if (value instanceof ArrayBuffer) return value.byteLength
  if (ArrayBuffer.isView(value)) return value.byteLength
  if (typeof value === 'string') return value.length * 2
  if (typeof value === 'number') return 8
  if (typeof value === 'boolean') return 1
  if (Array.isArray(value)) return value.reduce((sum: number, item) => sum + sizeOf(item), 0)
  if (value && typeof value === 'object') return Object.entries(value).reduce((sum, [k, v]) => sum + k.length * 2 + sizeOf(v), 0)
  return 0
}

const request = <T>(req: IDBRequest<T>): Promise<T> =>
  new Promise((resolve, reject) => {
    req.onsuccess = () => resolve(req.result)
    req.onerror = () => reject(req.error ?? new Error('IndexedDB request failed'))
  })

/** Every record of every store of every IndexedDB database of this origin, counted and sized. */
export const measureStore = async (): Promise<{ records: number; bytes: number }> => {
  let records = 0
  let bytes = 0
  for (const info of await indexedDB.databases()) {
    if (!info.name) continue
    const db = await request(indexedDB.open(info.name))
    try {
      for (const storeName of Array.from(db.objectStoreNames)) {
        const store = db.transaction(storeName, 'readonly').objectStore(storeName)
        const [keys, values] = await Promise.all([request(store.getAllKeys()), request(store.getAll())])
        records += values.length
        bytes += sizeOf(keys) + sizeOf(values)
      }
    } finally {
      db.close()
    }
  }
  return { records, bytes }
}
