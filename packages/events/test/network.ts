import * as Y from 'yjs'
import { createRng } from '@driftless/testkit/support'

const NETWORK = Symbol('network')

interface Message { readonly from: number; readonly to: number; readonly update: Uint8Array }

/**
 * Y.Docs exchanging updates in a random (seeded) order, like yjs's TestConnector: every local update is
 * queued for every other doc; `deliverOne` applies a random queued message whose ends are in the same partition.
 */
export function createNetwork(count: number, seed: number) {
  const random = createRng(seed).next // replaying a seed replays a run
  const docs = Array.from({ length: count }, () => new Y.Doc())
  const queue: Message[] = []
  let groups = docs.map(() => 0)
  docs.forEach((doc, from) => {
    doc.on('update', (update: Uint8Array, origin: unknown) => {
      if (origin === NETWORK) return
      for (let to = 0; to < count; to++) if (to !== from) queue.push({ from, to, update })
    })
  })
  const deliverable = (): number[] =>
    queue.flatMap((message, i) => (groups[message.from] === groups[message.to] ? [i] : []))
  return {
    docs,
    /** Messages still queued. */
    get pending(): number { return queue.length },
    /** Delivers one random deliverable message; false when none is. */
    deliverOne(): boolean {
      const candidates = deliverable()
      if (candidates.length === 0) return false
      const [message] = queue.splice(candidates[Math.floor(random() * candidates.length)] as number, 1)
      if (message) Y.applyUpdate(docs[message.to] as Y.Doc, message.update, NETWORK)
      return true
    },
    /** Splits the docs: `assign(i)` is doc i's partition. */
    partition(assign: (doc: number) => number): void { groups = docs.map((_, i) => assign(i)) },
    heal(): void { groups = docs.map(() => 0) },
    /** Heals and delivers everything, in random order, until quiet (bounded). */
    flush(): void {
      this.heal()
      for (let steps = 0; steps < 100_000 && this.deliverOne(); steps++) { /* keep going */ }
    },
    destroy(): void { for (const doc of docs) doc.destroy() },
  }
}
