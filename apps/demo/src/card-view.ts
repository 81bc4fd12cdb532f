import type { Card } from './board.js'
import { h } from './dom.js'
import { bindTextarea } from './text-binding.js'

/** What a card's buttons do. */
export interface CardActions {
  move(id: string, direction: -1 | 1): void
  archive(id: string): void
  focus(id: string | null): void
}

/** One card on screen: a textarea bound to the card's Y.Text, and move/archive buttons. */
export class CardView {
  readonly element: HTMLElement
  readonly field: HTMLTextAreaElement
  private readonly peers: HTMLElement
  private unbind: () => void
  private bound: Card['text']

  constructor(card: Card, actions: CardActions) {
    this.field = h('textarea', { 'data-testid': 'card-text', rows: '2', 'aria-label': 'Card text', spellcheck: 'false' })
    this.peers = h('div', { class: 'card-peers', 'data-testid': 'card-peers' })
    const button = (testId: string, label: string, title: string, onClick: () => void): HTMLButtonElement => {
      const element = h('button', { type: 'button', 'data-testid': testId, title, 'aria-label': title }, label)
      element.addEventListener('click', onClick)
      return element
    }
    this.element = h(
      'article',
      { class: 'card', 'data-testid': 'card', 'data-card-id': card.id },
      this.field,
      h(
        'div',
        { class: 'card-actions' },
        this.peers,
        button('move-left', '←', 'Move left', () => actions.move(card.id, -1)),
        button('move-right', '→', 'Move right', () => actions.move(card.id, 1)),
        button('archive', '✕', 'Archive', () => actions.archive(card.id)),
      ),
    )
    this.field.addEventListener('focus', () => actions.focus(card.id))
    this.field.addEventListener('blur', () => actions.focus(null))
    this.bound = card.text
    this.unbind = bindTextarea(card.text, this.field)
  }

  /** Rebinds if the card's text object was replaced (e.g. a concurrent re-creation). */
  update(card: Card): void {
    if (card.text === this.bound) return
    this.unbind()
    this.bound = card.text
    this.unbind = bindTextarea(card.text, this.field)
  }

  /** Shows who else is editing this card. */
  showPeers(peers: ReadonlyArray<{ name: string; color: string }>): void {
    this.peers.replaceChildren(
      ...peers.map((peer) => h('span', { class: 'dot', title: peer.name, style: `background:${peer.color}` })),
    )
  }

  destroy(): void {
    this.unbind()
    this.element.remove()
  }
}
