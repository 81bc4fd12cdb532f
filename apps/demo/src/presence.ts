import type { Replica } from '@driftless/replica'
import { presence, type Awareness } from '@driftless/replica/presence'
import { h } from './dom.js'
import type { Peer } from './identity.js'

/**
 * Forgets the other peers' states without marking them removed: `removeAwarenessStates` would bump their
 * clocks, and the relay's snapshot of their (unchanged) states would then be refused on reconnect.
 */
function forgetOthers(awareness: Awareness): void {
  const others = [...awareness.getStates().keys()].filter((id) => id !== awareness.clientID)
  for (const id of others) {
    awareness.states.delete(id)
    awareness.meta.delete(id)
  }
  awareness.emit('change', [{ added: [], updated: [], removed: others }, 'offline'])
}

/**
 * Live presence through awareness: this tab publishes its identity and the card it edits; the bar lists the
 * other tabs and devices, and `onPeers` tells the board who is editing which card.
 *
 * Presence is kept honest: a closing tab withdraws itself at once (`pagehide`) instead of lingering until
 * awareness times out (30 s), and a tab that goes offline stops showing the others, whose state it can no
 * longer see change. Both come back on their own when the tab returns or reconnects.
 */
export function mountPresence(
  root: HTMLElement,
  replica: Replica,
  me: Peer,
  onPeers: (byCard: Map<string, Peer[]>) => void,
): { focus(cardId: string | null): void } {
  const awareness = presence(replica)
  let focus: string | null = null
  const announce = (): void => awareness.setLocalState({ user: me, focus })
  announce()
  const list = h('span', { class: 'peers' })
  const self = h('span', { class: 'peer me', 'data-testid': 'me', style: `--peer:${me.color}`, title: 'Your name on this device, kept across reloads' }, me.name)
  root.append(
    h('span', { class: 'field' }, 'You ', self),
    h('span', { class: 'field', 'data-testid': 'presence', title: 'Other tabs and devices with this board open right now' }, 'Also here ', list),
  )

  const render = (): void => {
    const byCard = new Map<string, Peer[]>()
    const others: Peer[] = []
    for (const [clientId, state] of awareness.getStates()) {
      if (clientId === awareness.clientID) continue
      const user = (state as { user?: Peer }).user
      if (!user) continue
      others.push(user)
      const editing = (state as { focus?: unknown }).focus
      if (typeof editing === 'string') byCard.set(editing, [...(byCard.get(editing) ?? []), user])
    }
    list.replaceChildren(
      ...(others.length
        ? others.map((peer) => h('span', { class: 'peer', 'data-testid': 'peer', style: `--peer:${peer.color}` }, peer.name))
        : [h('span', { class: 'muted' }, replica.status === 'offline' ? 'unknown while offline' : 'nobody')]),
    )
    list.parentElement?.setAttribute('data-count', String(others.length))
    onPeers(byCard)
  }
  awareness.on('change', render)

  // Leaving: withdraw now, so the others see it within a second. Back from the back/forward cache: announce.
  window.addEventListener('pagehide', () => awareness.setLocalState(null))
  window.addEventListener('pageshow', (event) => event.persisted && announce())
  replica.on('status', (status) => {
    if (status === 'offline') forgetOthers(awareness)
    else if (status === 'synced') {
      // When our connection dropped, the relay told everyone our state was removed, at our clock + 1; a state
      // at that same clock loses to the removal, so step past it: two updates, the second one wins.
      announce()
      announce()
    }
    render()
  })
  render()
  return {
    focus(cardId) {
      focus = cardId
      announce()
    },
  }
}
