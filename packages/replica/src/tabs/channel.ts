import * as Y from 'yjs'
import { applyAwarenessUpdate, encodeAwarenessUpdate, type Awareness } from 'y-protocols/awareness'

type TabMessage =
  | { t: 'sv'; sv: Uint8Array; answer: boolean }
  | { t: 'update'; update: Uint8Array }
  | { t: 'awareness'; update: Uint8Array }
  | { t: 'awareness-query' }

/**
 * Shares one document between the tabs of an origin over BroadcastChannel, without the relay (so offline
 * too): updates as they are made, a state-vector exchange when a tab opens, and presence. Updates applied
 * from here carry this object as origin, so the replica neither stores them (their tab did) nor sends them
 * to the relay (their tab does).
 */
export class TabChannel {
  readonly #channel: BroadcastChannel

  constructor(name: string, private readonly doc: Y.Doc, private readonly awareness: Awareness) {
    this.#channel = new BroadcastChannel(name)
    this.#channel.onmessage = (event: MessageEvent<TabMessage>) => this.#receive(event.data)
  }

  /** Asks the other tabs for what this one lacks (and offers them the same). */
  hello(): void {
    this.#post({ t: 'sv', sv: Y.encodeStateVector(this.doc), answer: true })
    this.#post({ t: 'awareness-query' })
  }

  publishUpdate(update: Uint8Array): void {
    this.#post({ t: 'update', update })
  }

  publishAwareness(update: Uint8Array): void {
    this.#post({ t: 'awareness', update })
  }

  close(): void {
    this.#channel.onmessage = null
    this.#channel.close()
  }

  #receive(message: TabMessage): void {
    switch (message.t) {
      case 'sv': {
        const diff = Y.encodeStateAsUpdate(this.doc, message.sv)
        this.#post({ t: 'update', update: diff })
        if (message.answer) this.#post({ t: 'sv', sv: Y.encodeStateVector(this.doc), answer: false })
        break
      }
      case 'update':
        Y.applyUpdate(this.doc, message.update, this)
        break
      case 'awareness':
        applyAwarenessUpdate(this.awareness, message.update, this)
        break
      case 'awareness-query':
        if (this.awareness.getLocalState() !== null) {
          this.#post({ t: 'awareness', update: encodeAwarenessUpdate(this.awareness, [this.doc.clientID]) })
        }
        break
    }
  }

  #post(message: TabMessage): void {
    try {
      this.#channel.postMessage(message)
    } catch { /* closed: the replica is closing */ }
  }
}
