import type { openReplica } from '@driftless/replica'
import { h } from './dom.js'

type Awareness = ReturnType<typeof openReplica>['awareness']

/** Who a tab is, as shown to the others. */
export interface Peer {
  name: string
  color: string
}

const animals = ['Otter', 'Heron', 'Lynx', 'Marten', 'Ibis', 'Puffin', 'Gecko', 'Bison', 'Koala', 'Tapir']
const colors = ['#e4572e', '#17bebb', '#ffc914', '#76b041', '#7d5ba6', '#2e86ab', '#f18f01', '#c73e1d']

/** A random identity for this tab. */
export function randomPeer(): Peer {
  const pick = <T>(items: readonly T[]): T => items[Math.floor(Math.random() * items.length)] as T
  return { name: `${pick(animals)} ${Math.floor(Math.random() * 90) + 10}`, color: pick(colors) }
}

/**
 * Live presence through awareness: this tab publishes its identity and the card it edits; the bar lists the
 * other tabs and devices, and `onPeers` tells the board who is editing which card.
 */
export function mountPresence(
  root: HTMLElement,
  awareness: Awareness,
  me: Peer,
  onPeers: (byCard: Map<string, Peer[]>) => void,
): { focus(cardId: string | null): void } {
  awareness.setLocalStateField('user', me)
  awareness.setLocalStateField('focus', null)
  const list = h('span', { class: 'peers' })
  const self = h('span', { class: 'peer me', 'data-testid': 'me', style: `--peer:${me.color}` }, me.name)
  root.append(h('span', { class: 'field' }, 'You ', self), h('span', { class: 'field', 'data-testid': 'presence' }, 'Here too ', list))

  const render = (): void => {
    const byCard = new Map<string, Peer[]>()
    const others: Peer[] = []
    for (const [clientId, state] of awareness.getStates()) {
      if (clientId === awareness.clientID) continue
      const user = (state as { user?: Peer }).user
      if (!user) continue
      others.push(user)
      const focus = (state as { focus?: unknown }).focus
      if (typeof focus === 'string') byCard.set(focus, [...(byCard.get(focus) ?? []), user])
    }
    list.replaceChildren(
      ...(others.length
        ? others.map((peer) => h('span', { class: 'peer', 'data-testid': 'peer', style: `--peer:${peer.color}` }, peer.name))
        : [h('span', { class: 'muted' }, 'nobody')]),
    )
    list.parentElement?.setAttribute('data-count', String(others.length))
    onPeers(byCard)
  }
  awareness.on('change', render)
  render()
  return { focus: (cardId) => awareness.setLocalStateField('focus', cardId) }
}
