import { pino } from 'pino'
import { describe, expect, it } from 'vitest'
import * as Y from 'yjs'
import { CommitQueue } from '../src/commit-queue.js'
import { createMemoryStorage, type PendingWrite, type RelayStorage } from '../src/index.js'

const edit = (key: string): Uint8Array => {
  const doc = new Y.Doc()
  doc.getMap('m').set(key, 1)
  return Y.encodeStateAsUpdate(doc)
}

/** Memory storage that records the writes of each transaction. */
const recordingStorage = (): { storage: RelayStorage; transactions: PendingWrite[][] } => {
  const storage = createMemoryStorage()
  const transactions: PendingWrite[][] = []
  const append = storage.append.bind(storage)
  storage.append = async (writes) => {
    transactions.push([...writes])
    await append(writes)
  }
  return { storage, transactions }
}

describe('CommitQueue attribution', () => {
  it('commits updates from different authors in one transaction as separate writes, each with its own author', async () => {
    const { storage, transactions } = recordingStorage()
    const queue = new CommitQueue(storage, { onCommitted: () => {}, onCommitDuration: () => {} }, pino({ level: 'silent' }))
    queue.enqueue('doc', edit('a'), null, 0, undefined, 'alice')
    queue.enqueue('doc', edit('b'), null, 0, undefined, 'bob')
    queue.enqueue('doc', edit('c'), null, 0, undefined, 'anonymous')
    await queue.drain()

    expect(transactions.map(writes => writes.map(write => write.author))).toEqual([['alice', 'bob', 'anonymous']])
    const version = await storage.versions.create({
      docId: 'doc', kind: 'named', name: 'v', createdAt: 0, createdBy: 'alice', update: edit('state'), keepAutomatic: 50,
    })
    expect(version.authors).toEqual(['alice', 'anonymous', 'bob'])
    await storage.close()
  })

  it('stores one author\'s updates of a document in one transaction as one row that holds all of them', async () => {
    const { storage, transactions } = recordingStorage()
    const committed: number[] = []
    const queue = new CommitQueue(storage, {
      onCommitted: (writes, rows) => committed.push(writes.length, rows.length), onCommitDuration: () => {},
    }, pino({ level: 'silent' }))
    for (const key of ['a', 'b', 'c']) queue.enqueue('doc', edit(key), null, 0, undefined, 'alice')
    queue.enqueue('doc', edit('d'), null, 0, undefined, 'bob')
    queue.enqueue('other', edit('e'), null, 0, undefined, 'alice')
    await queue.drain()

    expect(transactions.map(writes => writes.map(write => [write.docId, write.author]))).toEqual([[['doc', 'alice'], ['doc', 'bob'], ['other', 'alice']]])
    expect(committed).toEqual([5, 3])
    const doc = new Y.Doc()
    for (const row of await storage.load('doc')) Y.applyUpdate(doc, row.update)
    expect([...doc.getMap('m').keys()].sort()).toEqual(['a', 'b', 'c', 'd'])
    await storage.close()
  })
})
