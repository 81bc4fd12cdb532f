import { openReplica } from '@driftless/replica'
import { columns, type Board } from './board.js'
import { mountBoard } from './board-view.js'
import { readConfig } from './config.js'
import { h } from './dom.js'
import { devTokenSource } from './auth.js'
import { mountBanners } from './banners.js'
import { devicePeer } from './identity.js'
import { mountPresence } from './presence.js'
import { showRelayErrors } from './relay-errors.js'
import { openEventBoard } from './event-board.js'
import { mountStatusBar } from './status-bar.js'
import './style.css'

const config = readConfig(window.location)
// With auth on, `npm start` signs development tokens for the page; otherwise it connects without one.
const token = await devTokenSource(config.docId)
// A short reconnect cap: after the network comes back (which a page cannot always observe), the board
// retries within a second rather than the default's ten. Fine for a demo's handful of clients; a relay with
// thousands of clients wants the default, so that reconnects after an outage spread out.
const replica = openReplica({
  docId: config.docId,
  relay: config.relay,
  storage: 'indexeddb',
  backoff: { baseMs: 250, capMs: 1000 },
  ...(token ? { token } : {}),
})

/** What the page exposes for tests and the console: the replica and board, and a plain snapshot of the board. */
export interface DemoHandle {
  replica: typeof replica
  board: Board
  /** The board's cards per column, in display order, read from the document. */
  snapshot(): Record<string, Array<{ id: string; text: string }>>
}

declare global {
  interface Window {
    driftlessDemo?: DemoHandle
  }
}

const app = document.getElementById('app') ?? document.body
const statusBar = h('div', { class: 'status-bar', 'data-testid': 'status-bar' })
const presenceBar = h('div', { class: 'presence-bar' })
const bannerRoot = h('div', { class: 'banner-area' })
const boardRoot = h('main', { class: 'board', 'data-testid': 'board' })
app.append(
  h('header', { class: 'top' }, h('h1', {}, 'Driftless board'), h('span', { class: 'doc', 'data-testid': 'doc-id', title: 'The document this board is stored in' }, config.docId), statusBar),
  presenceBar,
  bannerRoot,
  boardRoot,
)
mountStatusBar(statusBar, replica)
const banners = mountBanners(bannerRoot)
showRelayErrors(replica, banners)

await replica.loaded
const board = await openEventBoard(replica, config.docId)
// Close this session's event stream on the way out, so it stops holding back the log's stability watermark.
window.addEventListener('pagehide', () => board.close())
const { cardViews } = mountBoard(boardRoot, board, banners, (id) => presence.focus(id))
const presence = mountPresence(presenceBar, replica, devicePeer(), (byCard) => {
  for (const [id, view] of cardViews) view.showPeers(byCard.get(id) ?? [])
})

window.driftlessDemo = {
  replica,
  board,
  snapshot: () =>
    Object.fromEntries(columns.map((column) => [column.id, board.cardsIn(column.id).map((card) => ({ id: card.id, text: card.text.toString() }))])),
}
boardRoot.dataset.ready = 'true'
