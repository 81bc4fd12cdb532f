import type { Replica } from '@driftless/replica'
import { presence, type Awareness } from '@driftless/replica/presence'
import { useCallback, useMemo, useSyncExternalStore } from 'react'
import { useReplicaOf } from './context.js'

/** What `usePresence` returns. */
export interface Presence<State extends object> {
  /** Every client's presence state, by Yjs client id (this tab's included). Empty on the server. */
  readonly states: ReadonlyMap<number, State>
  /** This tab's client id (`undefined` until the replica opens). */
  readonly clientId: number | undefined
  /** Merges `patch` into this tab's presence; `null` clears it. A no-op until the replica opens. */
  readonly setLocalPresence: (patch: Partial<State> | null) => void
}

const empty: ReadonlyMap<number, never> = new Map<number, never>()
const snapshots = new WeakMap<Awareness, ReadonlyMap<number, unknown>>()

/** The awareness states as an immutable map, rebuilt only when a state changed (not on heartbeats). */
const snapshotOf = (awareness: Awareness): ReadonlyMap<number, unknown> => {
  let snapshot = snapshots.get(awareness)
  if (!snapshot) snapshots.set(awareness, (snapshot = new Map(awareness.getStates())))
  return snapshot
}

const subscribeTo = (awareness: Awareness | undefined) => (listener: () => void): (() => void) => {
  if (!awareness) return () => {}
  const onChange = (): void => {
    snapshots.delete(awareness)
    listener()
  }
  awareness.on('change', onChange)
  return () => awareness.off('change', onChange)
}

/**
 * Presence (y-protocols awareness, `presence(replica)` from `@driftless/replica/presence`) of everyone on the
 * document; re-renders when someone's state changes.
 */
export function usePresence<State extends object = Record<string, unknown>>(replica?: Replica): Presence<State> {
  const open = useReplicaOf(replica)
  // Made once per replica (and shared with the editor's carets or any other user of `presence`).
  const awareness = useMemo(() => (open ? presence(open) : undefined), [open])
  const subscribe = useCallback((listener: () => void) => subscribeTo(awareness)(listener), [awareness])
  const getSnapshot = useCallback(() => (awareness ? snapshotOf(awareness) : empty), [awareness])
  const states = useSyncExternalStore(subscribe, getSnapshot, () => empty) as ReadonlyMap<number, State>
  const setLocalPresence = useCallback((patch: Partial<State> | null) => {
    if (!awareness) return
    awareness.setLocalState(patch === null ? null : { ...(awareness.getLocalState() ?? {}), ...patch })
  }, [awareness])
  return { states, clientId: awareness?.clientID, setLocalPresence }
}
