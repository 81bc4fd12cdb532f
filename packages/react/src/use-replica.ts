import type { Replica, ReplicaOptions } from '@driftless/replica'
import { useContext, useEffect, useRef, useState } from 'react'
import { ReplicaContext } from './context.js'
import { acquireReplica } from './registry.js'

/** Options of `useReplica` and props of `ReplicaProvider`: the replica's options, plus where errors go. */
export interface UseReplicaOptions extends ReplicaOptions {
  /** Receives every error of the replica and of the bindings. @default console.error */
  onError?: (error: Error) => void
}

/**
 * Without options: the nearest `ReplicaProvider`'s replica (undefined on the server and until it opens).
 *
 * With options: opens the replica of `options.docId` while the component is mounted, sharing it with every other component
 * of the page that uses the same document (reference-counted). Returns `undefined` during server rendering,
 * hydration and the first client render: the replica opens in an effect, so server and client markup match.
 * The options are read when the replica opens; changing `docId` (or relay, storage, database, channel
 * prefix) opens another one.
 */
export function useReplica(options?: UseReplicaOptions): Replica | undefined {
  const provided = useContext(ReplicaContext).replica
  const [replica, setReplica] = useState<Replica | undefined>(undefined)
  const latest = useRef(options)
  latest.current = options
  const { docId, relay, storage, databaseName, channelPrefix } = options ?? {}
  const relayKey = relay === undefined ? '' : typeof relay === 'string' ? relay : relay.join(' ')
  useEffect(() => {
    if (!latest.current) return undefined
    const { onError: _onError, ...replicaOptions } = latest.current
    const report = (error: Error): void => (latest.current?.onError ?? console.error)(error)
    let lease: ReturnType<typeof acquireReplica>
    try {
      lease = acquireReplica(replicaOptions)
    } catch (error) {
      report(error as Error)
      return undefined
    }
    const stopErrors = lease.replica.on('error', report)
    setReplica(lease.replica)
    return () => {
      stopErrors()
      lease.release()
      setReplica(undefined)
    }
  }, [docId, relayKey, storage, databaseName, channelPrefix])
  return options ? replica : provided
}
