import * as Y from 'yjs'
import { IndexeddbPersistence } from 'y-indexeddb'
import { measureStore } from './store-size.js'

const DOC = 'bench-doc'

/** Resolves once every readwrite transaction y-indexeddb started on its updates store has committed. */
const committed = (persistence: IndexeddbPersistence): Promise<void> =>
  new Promise((resolve, reject) => {
    // Readwrite transactions on one store run in creation order: when this one completes, all earlier ones have.
    const db = (persistence as unknown as { db: IDBDatabase }).db
    const tx = db.transaction(['updates'], 'readwrite')
    tx.oncomplete = () => resolve()
    tx.onerror = () => reject(tx.error ?? new Error('transaction failed'))
  })

const open = async (): Promise<{ doc: Y.Doc; persistence: IndexeddbPersistence }> => {
  const doc = new Y.Doc()
  const persistence = new IndexeddbPersistence(DOC, doc)
  await persistence.whenSynced
  return { doc, persistence }
}

window.benchPersistence = {
  async commitEdits(count) {
    const { doc, persistence } = await open()
    const text = doc.getText('text')
    const started = performance.now()
    for (let i = 0; i < count; i++) text.insert(text.length, 'x')
    await committed(persistence)
    const ms = performance.now() - started
    await persistence.destroy()
    return ms
  },
  async load() {
    const started = performance.now()
    const { doc, persistence } = await open()
    const ms = performance.now() - started
    const length = doc.getText('text').length
    await persistence.destroy()
    return { ms, length }
  },
  async openCloseCycles(count, budgetMs) {
    const deadline = performance.now() + budgetMs
    let done = 0
    for (; done < count && performance.now() < deadline; done++) {
      const { persistence } = await open()
      await persistence.destroy()
    }
    return done
  },
  storeSize: measureStore,
}
