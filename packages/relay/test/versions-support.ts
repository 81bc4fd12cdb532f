import * as Y from 'yjs'
import { TestClient } from './helpers.js'

/**
 * A Y.Doc kept in sync with the relay through a raw client: applies what the relay sends, and sends local
 * changes with an ack id, waiting for the ack (so they are committed).
 */
export class SyncedDoc {
  readonly doc = new Y.Doc()
  private nextAck = 1
  private seen = 0

  private constructor(readonly client: TestClient, readonly docId: string) {}

  static async open(url: string, docId: string, token = ''): Promise<SyncedDoc> {
    const synced = new SyncedDoc(await TestClient.greeted(url, token), docId)
    const reply = await synced.client.subscribe(docId, synced.doc)
    Y.applyUpdate(synced.doc, reply.update, 'relay')
    synced.seen = synced.client.received.length
    return synced
  }

  /** Applies everything received so far. */
  pull(): void {
    for (const message of this.client.received.slice(this.seen)) {
      if ((message.type === 'update' || message.type === 'sync-step-2') && message.docId === this.docId) {
        Y.applyUpdate(this.doc, message.update, 'relay')
      }
    }
    this.seen = this.client.received.length
  }

  /** Runs `change` as one transaction and resolves once the relay acknowledged it (or rejects on its error). */
  async change(change: (doc: Y.Doc) => void): Promise<void> {
    let update: Uint8Array | null = null
    const listener = (written: Uint8Array, origin: unknown): void => {
      if (origin !== 'relay') update = written
    }
    this.doc.on('update', listener)
    this.doc.transact(() => change(this.doc))
    this.doc.off('update', listener)
    if (update === null) return
    const ackId = this.nextAck++
    const from = this.client.received.length
    this.client.send({ type: 'update', docId: this.docId, update, ackId })
    const reply = await this.client.waitFor(m => (m.type === 'ack' || m.type === 'error') && 'ackId' in m && m.ackId === ackId, from)
    if (reply.type === 'error') throw new Error(`update refused: ${reply.code} ${reply.message}`)
  }

  close(): void {
    this.client.close()
  }
}
