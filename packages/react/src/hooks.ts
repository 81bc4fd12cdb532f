import { Status, type Replica } from '@driftless/replica'
import { useCallback, useContext, useSyncExternalStore } from 'react'
import { ReplicaContext, useReplicaOf } from './context.js'
import { stateOf } from './registry.js'
import type { ReplicaState } from './replica-state.js'

const noSubscription = (): (() => void) => () => {}

/** One field of the replica's state through `useSyncExternalStore`; `fallback` on the server and before open. */
function useField<T>(replica: Replica | undefined, read: (state: ReplicaState) => T, fallback: T): T {
  const state = replica ? stateOf(replica) : undefined
  const getSnapshot = useCallback(() => (state ? read(state) : fallback), [state, read, fallback])
  return useSyncExternalStore(state?.subscribe ?? noSubscription, getSnapshot, () => fallback)
}

const readStatus = (state: ReplicaState): Status => state.status
const readPending = (state: ReplicaState): number => state.pending
const readSaved = (state: ReplicaState): boolean => state.saved
const readSynced = (state: ReplicaState): boolean => state.status === Status.synced && state.pending === 0
const readLeader = (state: ReplicaState): boolean => state.leader
const readLoaded = (state: ReplicaState): boolean => state.loaded

/** `'offline' | 'connecting' | 'syncing' | 'synced'`; `'offline'` on the server and until the replica opens. */
export const useStatus = (replica?: Replica): Status => useField(useReplicaOf(replica), readStatus, Status.offline)

/** Local changes the relay has not durably acknowledged yet (0 until the replica opens). */
export const usePending = (replica?: Replica): number => useField(useReplicaOf(replica), readPending, 0)

/** Everything the replica holds is committed to this device's storage (false until loaded). */
export const useSaved = (replica?: Replica): boolean => useField(useReplicaOf(replica), readSaved, false)

/** The relay has committed every local change and sent everything it had: `status` synced and nothing pending. */
export const useSynced = (replica?: Replica): boolean => useField(useReplicaOf(replica), readSynced, false)

/** This tab holds the relay connection for the page's replicas (false until the replica opens). */
export const useLeader = (replica?: Replica): boolean => useField(useReplicaOf(replica), readLeader, false)

/** Local state has been restored from storage (`replica.loaded` resolved); false on the server. */
export const useLoaded = (replica?: Replica): boolean => useField(useReplicaOf(replica), readLoaded, false)

/** Options of `useReplicaError`. */
export interface UseReplicaErrorOptions {
  /**
   * Throw matching errors during render, so the nearest error boundary shows them (call `clear` from the
   * boundary's reset). `true` throws every error. @default false
   */
  throwIf?: boolean | ((error: Error) => boolean)
}

/** The latest error of the nearest `ReplicaProvider` (replica or bindings), and a way to clear it. */
export function useReplicaError(options: UseReplicaErrorOptions = {}): { error: Error | undefined; clear: () => void } {
  const { errors } = useContext(ReplicaContext)
  const error = useSyncExternalStore(errors?.subscribe ?? noSubscription, () => errors?.error, () => undefined)
  const { throwIf = false } = options
  if (error && (throwIf === true || (typeof throwIf === 'function' && throwIf(error)))) throw error
  return { error, clear: errors?.clear ?? noop }
}
const noop = (): void => {}
