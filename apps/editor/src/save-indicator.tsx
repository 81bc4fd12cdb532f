import { useLoaded, usePending, useSaved, useStatus, useSynced } from '@driftless/react'
import { useContext, type ReactNode } from 'react'
import { WorkOfflineContext } from './offline.js'
import { describeSaveState } from './save-state.js'

/** "Saved on this device", "Saved on the server", "Offline – 12 changes waiting": the nearest replica's state. */
export function SaveIndicator({ compact = false }: { compact?: boolean }): ReactNode {
  const text = describeSaveState({
    loaded: useLoaded(),
    saved: useSaved(),
    synced: useSynced(),
    status: useStatus(),
    pending: usePending(),
    workingOffline: useContext(WorkOfflineContext),
  })
  return (
    <span className={`save-state save-state--${text.tone}`} data-testid="save-state" title={text.detail}>
      <span className="save-state__dot" aria-hidden="true" />
      <span className="save-state__label">{text.label}</span>
      {!compact && <span className="save-state__detail">{text.detail}</span>}
    </span>
  )
}
