import { Awareness, applyAwarenessUpdate, encodeAwarenessUpdate, removeAwarenessStates } from 'y-protocols/awareness'
import { presenceTap, type PresencePeer } from './presence-port.js'
import type { Replica } from './replica.js'

export { Awareness } from 'y-protocols/awareness'

interface AwarenessPeer extends PresencePeer {
  readonly awareness: Awareness
}

/**
 * Presence on `replica`'s document: a y-protocols `Awareness` (what TipTap's collaboration caret and other
 * Yjs bindings take as `awareness`), shared with the replica's other tabs and the relay's other clients and
 * never stored. Made on the first call, the same object on every later one; the replica withdraws this tab's
 * state and destroys it on `close()`. A replica nobody asked for presence neither bundles nor runs it.
 */
export function presence(replica: Replica): Awareness {
  return replica[presenceTap]<AwarenessPeer>(attachTo(replica)).awareness
}

const attachTo = (replica: Replica) => (publish: (update: Uint8Array) => void): AwarenessPeer => {
  const awareness = new Awareness(replica.doc)
  const own = [replica.doc.clientID]
  const onUpdate = ({ added, updated, removed }: Record<'added' | 'updated' | 'removed', number[]>, origin: unknown): void => {
    if (origin === 'local') publish(encodeAwarenessUpdate(awareness, [...added, ...updated, ...removed]))
  }
  awareness.on('update', onUpdate)
  // Announce the initial (empty) state once attached, as a provider does when it connects.
  queueMicrotask(() => publish(encodeAwarenessUpdate(awareness, own)))
  return {
    awareness,
    receive: (update, origin) => applyAwarenessUpdate(awareness, update, origin),
    local: () => (awareness.getLocalState() === null ? null : encodeAwarenessUpdate(awareness, own)),
    close: () => {
      removeAwarenessStates(awareness, own, 'local')
      awareness.off('update', onUpdate)
      awareness.destroy()
    },
  }
}
