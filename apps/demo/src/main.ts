import { openReplica } from '@driftless/replica'
import { columns, type Board } from './board.js'
import { mountBoard } from './board-view.js'
import { readConfig } from './config.js'
import { h } from './dom.js'
import { mountPresence, randomPeer } from './presence.js'
import { openEventBoard } from './event-board.js'
import { mountStatusBar } from './status-bar.js'
import './style.css'

const config = readConfig(window.location)
// A short reconnect cap: after the network comes back (which a page cannot always observe), the board
// retries within a second rather than the default's ten. Fine for a demo's handful of clients; a relay with
// thousands of clients wants the default, so that reconnects after an outage spread out.
const replica = openReplica({ docId: config.docId, relay: config.relay, storage: 'indexeddb', backoff: { baseMs: 250, capMs: 1000 } })

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
const boardRoot = h('main', { class: 'board', 'data-testid': 'board' })
app.append(
  h('header', { class: 'top' }, h('h1', {}, 'Driftless board'), h('span', { class: 'doc', 'data-testid': 'doc-id' }, config.docId), statusBar),
  presenceBar,
  boardRoot,
)
mountStatusBar(statusBar, replica)

await replica.loaded
const board = await openEventBoard(replica, config.docId)
// Close this session's event stream on the way out, so it stops holding back the log's stability watermark.
window.addEventListener('pagehide', () => board.close())
const { cardViews } = mountBoard(boardRoot, board, (id) => presence.focus(id))
const presence = mountPresence(presenceBar, replica.awareness, randomPeer(), (byCard) => {
  for (const [id, view] of cardViews) view.showPeers(byCard.get(id) ?? [])
})

window.driftlessDemo = {
  replica,
  board,
  snapshot: () =>
    Object.fromEntries(columns.map((column) => [column.id, board.cardsIn(column.id).map((card) => ({ id: card.id, text: card.text.toString() }))])),
}
boardRoot.dataset.ready = 'true'
