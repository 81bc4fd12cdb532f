import type { openReplica } from '@driftless/replica'
import { h } from './dom.js'

type Replica = ReturnType<typeof openReplica>

/**
 * Shows what the replica is doing: connection status, pending (not yet durable) changes, whether this tab is
 * the leader, and the "work offline" switch.
 */
export function mountStatusBar(root: HTMLElement, replica: Replica): void {
  const status = h('span', { class: 'pill', 'data-testid': 'status' })
  const pending = h('span', { class: 'pill', 'data-testid': 'pending' })
  const leader = h('span', { class: 'pill', 'data-testid': 'leader' })
  const toggle = h('input', { type: 'checkbox', 'data-testid': 'offline-toggle' })
  const offlineLabel = h(
    'label',
    { class: 'switch', title: 'Cut this tab from the relay; keep editing locally. Other tabs are not affected.' },
    toggle,
    ' Work offline',
  )
  root.append(
    h('span', { class: 'field' }, 'Status ', status),
    h('span', { class: 'field' }, 'Pending ', pending),
    h('span', { class: 'field' }, 'Tab ', leader),
    offlineLabel,
  )

  const showStatus = (): void => {
    status.textContent = replica.status
    status.dataset.status = replica.status
  }
  const showPending = (): void => {
    pending.textContent = String(replica.pending)
    pending.dataset.pending = replica.pending > 0 ? 'some' : 'none'
  }
  const showLeader = (): void => {
    leader.textContent = replica.isLeader ? 'leader' : 'follower'
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
