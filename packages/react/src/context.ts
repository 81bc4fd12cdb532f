import type { Replica } from '@driftless/replica'
import { createContext, useContext } from 'react'
import type { ErrorStore } from './error-store.js'

/** What `ReplicaProvider` gives its tree. */
export interface ReplicaContextValue {
  readonly replica: Replica | undefined
  readonly errors: ErrorStore | undefined
}

export const ReplicaContext = createContext<ReplicaContextValue>({ replica: undefined, errors: undefined })

/** The replica to read: the one passed, else the nearest provider's (undefined on the server and before the first effect). */
export const useReplicaOf = (replica?: Replica): Replica | undefined => {
  const context = useContext(ReplicaContext)
  return replica ?? context.replica
}
