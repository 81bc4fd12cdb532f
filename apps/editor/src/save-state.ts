import type { Status } from '@driftless/replica'

/** What the replica's hooks say, in the words a writer understands. */
export interface SaveStateInput {
  readonly loaded: boolean
  readonly saved: boolean
  readonly synced: boolean
  readonly status: Status
  readonly pending: number
  /** The person switched this tab to work offline. */
  readonly workingOffline: boolean
}

/** A short label, and a longer line that says what it means. */
export interface SaveStateText {
  readonly label: string
  readonly detail: string
  readonly tone: 'busy' | 'local' | 'server' | 'offline'
}

const changes = (count: number): string => `${count} ${count === 1 ? 'change' : 'changes'}`

/** The indicator's text: saved on this device, saved on the server, or offline with changes waiting. */
export function describeSaveState(input: SaveStateInput): SaveStateText {
  if (!input.loaded) return { label: 'Opening…', detail: 'Reading this document from this device.', tone: 'busy' }
  const offline = input.workingOffline || input.status === 'offline'
  if (offline && input.pending > 0) {
    return { label: `Offline – ${changes(input.pending)} waiting`, detail: 'Safe on this device; sent when you are back online.', tone: 'offline' }
  }
  if (!input.saved) return { label: 'Saving…', detail: 'Writing your last change to this device.', tone: 'busy' }
  if (offline) return { label: 'Offline – saved on this device', detail: 'Nothing is waiting to be sent.', tone: 'offline' }
  if (input.synced) return { label: 'Saved on the server', detail: 'Safe even if this device is lost.', tone: 'server' }
  return {
    label: 'Saved on this device',
    detail: input.pending > 0 ? `Sending ${changes(input.pending)} to the server…` : 'Catching up with the server…',
    tone: 'local',
  }
}
