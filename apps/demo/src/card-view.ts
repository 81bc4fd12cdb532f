import type { Card } from './board.js'
import { h } from './dom.js'
import { bindTextarea } from './text-binding.js'

/** What a card's buttons do. */
export interface CardActions {
  move(id: string, direction: -1 | 1): void
  archive(id: string): void
  focus(id: string | null): void
}

/** Whether a move button can do anything, and the tooltip saying what it does or why it cannot. */
export interface MoveState {
  enabled: boolean
  title: string
}

/** Browsers without CSS `field-sizing` (Firefox, older Safari) grow the field from script. */
const sizesItself = typeof CSS !== 'undefined' && CSS.supports('field-sizing', 'content')
const grow = (field: HTMLTextAreaElement): void => {
  if (sizesItself) return
  field.style.height = 'auto'
  field.style.height = `${field.scrollHeight}px`
}

/** One card on screen: a textarea bound to the card's Y.Text that grows with its text, and move/archive buttons. */
export class CardView {
  readonly element: HTMLElement
  readonly field: HTMLTextAreaElement
  private readonly peers: HTMLElement
  private readonly left: HTMLButtonElement
  private readonly right: HTMLButtonElement
  private unbind: () => void
  private bound: Card['text']

  constructor(card: Card, actions: CardActions) {
    this.field = h('textarea', { 'data-testid': 'card-text', rows: '1', 'aria-label': 'Card text', spellcheck: 'false' })
    this.peers = h('div', { class: 'card-peers', 'data-testid': 'card-peers' })
    const button = (testId: string, label: string, title: string, onClick: () => void): HTMLButtonElement => {
      const element = h('button', { type: 'button', 'data-testid': testId, title, 'aria-label': title }, label)
      element.addEventListener('click', onClick)
      return element
    }
    this.left = button('move-left', '←', 'Move left', () => actions.move(card.id, -1))
    this.right = button('move-right', '→', 'Move right', () => actions.move(card.id, 1))
    this.element = h(
      'article',
      { class: 'card', 'data-testid': 'card', 'data-card-id': card.id },
      this.field,
      h('div', { class: 'card-actions' }, this.peers, this.left, this.right, button('archive', '✕', 'Archive this card', () => actions.archive(card.id))),
    )
    this.field.addEventListener('focus', () => actions.focus(card.id))
    this.field.addEventListener('blur', () => actions.focus(null))
    this.field.addEventListener('input', () => grow(this.field))
    this.bound = card.text
    this.unbind = this.bind(card.text)
  }

  private bind(text: Card['text']): () => void {
    const unbind = bindTextarea(text, this.field, () => grow(this.field))
    // The first measure needs the card on the page; the board inserts it right after construction.
    requestAnimationFrame(() => grow(this.field))
    return unbind
  }

  /** Rebinds if the card's text object was replaced (e.g. a concurrent re-creation). */
  update(card: Card): void {
    if (card.text === this.bound) return
    this.unbind()
    this.bound = card.text
    this.unbind = this.bind(card.text)
  }

  /** Enables each arrow only if its move can happen, with a tooltip that says where to or why not. */
  setMoves(left: MoveState, right: MoveState): void {
    for (const [button, state] of [[this.left, left], [this.right, right]] as const) {
      button.disabled = !state.enabled
      button.title = state.title
      button.setAttribute('aria-label', state.title)
    }
  }

  /** Shows who else is editing this card. */
  showPeers(peers: ReadonlyArray<{ name: string; color: string }>): void {
    this.peers.replaceChildren(
      ...peers.map((peer) => h('span', { class: 'dot', title: `${peer.name} is editing this card`, style: `background:${peer.color}` })),
    )
  }

  destroy(): void {
    this.unbind()
    this.element.remove()
  }
}
