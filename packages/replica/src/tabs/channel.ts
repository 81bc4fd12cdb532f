import * as Y from 'yjs'
import { Origin } from '../origins.js'
import type { PendingChanges, PendingNote } from '../pending/changes.js'
import type { PresencePeer } from '../presence-port.js'

type TabMessage =
  | { t: 'sv'; sv: Uint8Array; answer: boolean }
  | { t: 'update'; update: Uint8Array }
  | { t: 'awareness'; update: Uint8Array }
  | { t: 'awareness-query' }
  | { t: 'pending'; note: PendingNote }

/**
 * Shares one document between the tabs of an origin over BroadcastChannel, without the relay (so offline
 * too): sealed changes as they are made, a state-vector exchange when a tab opens, presence (once asked
 * for), and which pending entries each tab stored or deleted (so every tab counts the same). Updates applied from here carry
 * `Origin.otherTab`, so the replica neither stores them (their tab did) nor sends them (their tab does).
 * A change's update is posted before the note that names its entry: a tab that counts an entry holds it.
 */
export class TabChannel {
  readonly #channel: BroadcastChannel
  readonly #stop: Array<() => void>
  readonly #doc: Y.Doc
  /** The replica's, once the app asked for it; other tabs' states go to it, and it answers their queries. */
  readonly #presence: () => PresencePeer | undefined
  #askedForGap = false

  constructor(name: string, doc: Y.Doc, pending: PendingChanges, presence: () => PresencePeer | undefined) {
    this.#doc = doc
    this.#presence = presence
    this.#channel = new BroadcastChannel(name)
    this.#channel.onmessage = (event: MessageEvent<TabMessage>) => {
      const message = event.data
      if (message.t === 'pending') pending.learn(message.note)
      else this.#receive(message)
    }
    this.#stop = [
      pending.on('sealed', (change) => this.#post({ t: 'update', update: change.update })),
      pending.on('note', (note) => this.#post({ t: 'pending', note })),
    ]
  }

  /** Asks the other tabs for what this one lacks (and offers them the same). */
  hello(): void {
    this.#post({ t: 'sv', sv: Y.encodeStateVector(this.#doc), answer: true })
  }

  /** Asks the other tabs for their presence (once this tab has presence to show it in). */
  askPresence(): void {
    this.#post({ t: 'awareness-query' })
  }

  publishAwareness(update: Uint8Array): void {
    this.#post({ t: 'awareness', update })
  }

  close(): void {
    for (const stop of this.#stop) stop()
    this.#channel.onmessage = null
    this.#channel.close()
  }

  #receive(message: Exclude<TabMessage, { t: 'pending' }>): void {
    switch (message.t) {
      case 'sv': {
        const diff = Y.encodeStateAsUpdate(this.#doc, message.sv)
        this.#post({ t: 'update', update: diff })
        if (message.answer) this.#post({ t: 'sv', sv: Y.encodeStateVector(this.#doc), answer: false })
        break
      }
      case 'update': {
        Y.applyUpdate(this.#doc, message.update, Origin.otherTab)
        // A gap (an update that depends on one this tab never got) would hide that client's changes for
        // good, since the relay does not echo a tab's changes to its own browser: ask the tabs once per gap.
        const gap = this.#doc.store.pendingStructs !== null
        if (gap && !this.#askedForGap) this.#post({ t: 'sv', sv: Y.encodeStateVector(this.#doc), answer: false })
        this.#askedForGap = gap
        break
      }
      case 'awareness':
        this.#presence()?.receive(message.update, this)
        break
      case 'awareness-query': {
        const update = this.#presence()?.local()
        if (update) this.#post({ t: 'awareness', update })
        break
      }
    }
  }

  #post(message: TabMessage): void {
    try {
      this.#channel.postMessage(message)
    } catch { /* closed: the replica is closing */ }
  }
}
