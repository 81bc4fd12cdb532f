import { openReplica } from 'bench:driftless-replica'
import { measureStore } from './store-size.js'

const DOC = 'bench-doc'

const open = async (): Promise<ReturnType<typeof openReplica>> => {
  const replica = openReplica({ docId: DOC, storage: 'indexeddb' })
  await replica.loaded
  return replica
}

window.benchPersistence = {
  async commitEdits(count) {
    const replica = await open()
    const text = replica.doc.getText('text')
    const started = performance.now()
    for (let i = 0; i < count; i++) text.insert(text.length, 'x')
    await replica.whenSaved()
    const ms = performance.now() - started
    await replica.close()
    return ms
  },
  async load() {
    const started = performance.now()
    const replica = await open()
    const ms = performance.now() - started
    const length = replica.doc.getText('text').length
    await replica.close()
    return { ms, length }
  },
  async openCloseCycles(count, budgetMs) {
    const deadline = performance.now() + budgetMs
    let done = 0
    for (; done < count && performance.now() < deadline; done++) await (await open()).close()
    return done
  },
  storeSize: measureStore,
}
