import { useReplica } from '@driftless/react'
import { createContext, useContext, useEffect } from 'react'

/** Whether this tab works offline (the switch in the header). */
export const WorkOfflineContext = createContext(false)

/**
 * Keeps the nearest replica connected, or not, as the tab's switch says. Replicas open with
 * `autoConnect: false`, so one opened while offline never reaches the relay; it connects once loaded.
 */
export function FollowWorkOffline(): null {
  const replica = useReplica()
  const offline = useContext(WorkOfflineContext)
  useEffect(() => {
    if (!replica) return undefined
    if (offline) {
      replica.disconnect()
      return undefined
    }
    let cancelled = false
    void replica.loaded.then(() => { if (!cancelled) replica.connect() })
    return () => { cancelled = true }
  }, [replica, offline])
  return null
}
