import { describe, expect, it } from 'vitest'
import { describeSaveState, type SaveStateInput } from '../src/save-state.js'

const online: SaveStateInput = { loaded: true, saved: true, synced: true, status: 'synced', pending: 0, workingOffline: false }
const label = (change: Partial<SaveStateInput>): string => describeSaveState({ ...online, ...change }).label

describe('the save indicator says where the last change is safe', () => {
  it('before the document is read from this device: opening', () => {
    expect(label({ loaded: false, saved: false, synced: false, status: 'connecting' })).toBe('Opening…')
  })

  it('acknowledged by the relay: saved on the server', () => {
    expect(label({})).toBe('Saved on the server')
  })

  it('written locally, not yet acknowledged: saved on this device, saying what is being sent', () => {
    const text = describeSaveState({ ...online, synced: false, status: 'syncing', pending: 2 })
    expect(text.label).toBe('Saved on this device')
    expect(text.detail).toBe('Sending 2 changes to the server…')
  })

  it('a change still on its way to IndexedDB: saving', () => {
    expect(label({ saved: false, synced: false, pending: 1 })).toBe('Saving…')
  })

  it('offline or working offline with changes: counts them, in the singular for one', () => {
    expect(label({ status: 'offline', synced: false, pending: 12 })).toBe('Offline – 12 changes waiting')
    expect(label({ workingOffline: true, synced: false, pending: 1 })).toBe('Offline – 1 change waiting')
  })

  it('offline with nothing waiting: saved on this device', () => {
    expect(label({ status: 'offline', synced: false })).toBe('Offline – saved on this device')
  })
})
