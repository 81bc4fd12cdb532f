import type { openReplica } from '@driftless/replica'
import { h } from './dom.js'

type Replica = ReturnType<typeof openReplica>

/** What each connection state means, for the tooltip. */
const statusHelp: Record<Replica['status'], string> = {
  offline: 'Not connected to the relay. You can keep working: changes are stored on this device and sent when it reconnects.',
  connecting: 'Opening the connection to the relay.',
  syncing: 'Connected; exchanging the changes made while apart.',
  synced: 'Connected, and every change made here is stored on the relay.',
}

/**
 * Shows what the replica is doing in plain words: the connection, the edits not yet stored on the relay,
 * whether this tab carries the browser's connection, and the "work offline" switch. Every item explains
 * itself in a tooltip.
 */
export function mountStatusBar(root: HTMLElement, replica: Replica): void {
  const status = h('span', { class: 'pill', 'data-testid': 'status' })
  const pending = h('span', { class: 'pill', 'data-testid': 'pending' })
  const leader = h('span', { class: 'pill', 'data-testid': 'leader' })
  const toggle = h('input', { type: 'checkbox', 'data-testid': 'offline-toggle' })
  const field = (label: string, pill: HTMLElement, title: string): HTMLElement => h('span', { class: 'field', title }, label, pill)
  const statusField = field('Connection ', status, '')
  const pendingField = field('Not yet on relay ', pending, '')
  root.append(
    statusField,
    pendingField,
    field('Relay link ', leader, 'One tab per browser holds the connection to the relay; the other tabs share it. Close that tab and another one takes over.'),
    h('label', { class: 'switch', title: 'Disconnect this tab from the relay and keep editing locally. Other tabs are not affected.' }, toggle, ' Work offline'),
  )

  const showStatus = (): void => {
    status.textContent = replica.status
    status.dataset.status = replica.status
    statusField.title = statusHelp[replica.status]
  }
  const showPending = (): void => {
    const count = replica.pending
    // `pending` counts local changes (a keystroke, a move), not cards: say "edits", which is what they are.
    pending.textContent = count === 0 ? 'none' : `${count} edit${count === 1 ? '' : 's'}`
    pending.dataset.pending = count > 0 ? 'some' : 'none'
    pending.dataset.count = String(count)
    pendingField.title = count === 0
      ? 'Every edit made here is stored on the relay.'
      : 'Edits made here (each keystroke or board action counts as one) that the relay has not stored yet. They are safe on this device and are sent automatically.'
  }
  const showLeader = (): void => {
    leader.textContent = replica.isLeader ? 'this tab' : 'another tab'
    leader.dataset.leader = String(replica.isLeader)
  }
  toggle.addEventListener('change', () => {
    if (toggle.checked) replica.disconnect()
    else replica.connect()
    document.body.dataset.workOffline = String(toggle.checked)
  })
  replica.on('status', showStatus)
  replica.on('pending', showPending)
  replica.on('leader', showLeader)
  showStatus()
  showPending()
  showLeader()
}
