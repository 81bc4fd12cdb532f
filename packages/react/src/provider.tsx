import { useMemo, useRef, type ReactNode } from 'react'
import { ReplicaContext } from './context.js'
import { ErrorStore } from './error-store.js'
import { useReplica, type UseReplicaOptions } from './use-replica.js'

/** Props of `ReplicaProvider`: the replica's options, `onError`, and the tree that uses it. */
export interface ReplicaProviderProps extends UseReplicaOptions {
  children?: ReactNode
}

/**
 * Opens a replica for its tree (see `useReplica`) and gives it to the hooks below. Errors of the replica and
 * of the bindings reach `onError` (default: the console) and `useReplicaError()`.
 */
export function ReplicaProvider({ children, onError, ...options }: ReplicaProviderProps): ReactNode {
  const onErrorRef = useRef(onError)
  onErrorRef.current = onError
  const errors = useMemo(() => new ErrorStore((error) => {
    if (onErrorRef.current) onErrorRef.current(error)
    else console.error(error)
  }), [])
  const replica = useReplica({ ...options, onError: errors.report })
  const value = useMemo(() => ({ replica, errors }), [replica, errors])
  return <ReplicaContext.Provider value={value}>{children}</ReplicaContext.Provider>
}
