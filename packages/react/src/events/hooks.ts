import type { EmitOptions, EventDefinition, EventLog, EventLogOptions, Projection, ProjectionDefinition, AnyEventDefinition } from '@driftless/events'
import { useCallback, useContext, useEffect, useMemo, useRef, useState, useSyncExternalStore } from 'react'
import { ReplicaContext } from '../context.js'
import { ReactBindingError } from '../errors.js'
import { acquireLog } from './log-registry.js'

/**
 * The event log of the nearest `ReplicaProvider`'s replica, opened once the replica has loaded (undefined
 * until then, and on the server). Every component of the tree shares one log (one stream per session);
 * `options` are read when it opens, so pass them from one component near the provider.
 */
export function useEventLog(options?: EventLogOptions): EventLog | undefined {
  const { replica, errors } = useContext(ReplicaContext)
  const [log, setLog] = useState<EventLog | undefined>(undefined)
  const latest = useRef(options)
  latest.current = options
  useEffect(() => {
    if (!replica) return undefined
    const lease = acquireLog(replica, latest.current)
    const stop = lease.onReady(setLog, (error) => (errors?.report ?? console.error)(error))
    return () => {
      stop()
      lease.release()
      setLog(undefined)
    }
  }, [replica, errors])
  return log
}

/** What `useProjection` returns: the projection's state, as of the last change. */
export interface ProjectionSnapshot<State> {
  /** Tentative: every event this replica holds. `initial` until the log opens. */
  readonly state: State
  /** Final: only events no replica can still precede. */
  readonly stableState: State
  /** Rejected events: id → reason. */
  readonly rejected: ReadonlyMap<string, string>
  /** The log holds events this projection may need but cannot read yet. */
  readonly behindSchema: boolean
  /** The log is open and the projection folded (false on the server and while loading). */
  readonly ready: boolean
}

const snapshots = new WeakMap<Projection<unknown>, ProjectionSnapshot<unknown>>()
const snapshotOf = <State>(projection: Projection<State>): ProjectionSnapshot<State> => {
  let snapshot = snapshots.get(projection) as ProjectionSnapshot<State> | undefined
  if (!snapshot) {
    const { state, stableState, rejected, behindSchema } = projection
    snapshot = { state, stableState, rejected: new Map(rejected), behindSchema, ready: true }
    snapshots.set(projection, snapshot)
  }
  return snapshot
}

/** Folds `definition` on the tree's event log and re-renders when its state, stable state or rejections change. */
export function useProjection<State>(definition: ProjectionDefinition<State, readonly AnyEventDefinition[]>): ProjectionSnapshot<State> {
  const log = useEventLog()
  const projection = useMemo(() => log?.projection(definition), [log, definition])
  const initial = useMemo<ProjectionSnapshot<State>>(
    () => ({ state: definition.initial, stableState: definition.initial, rejected: new Map(), behindSchema: false, ready: false }),
    [definition],
  )
  const subscribe = useCallback((listener: () => void) => {
    if (!projection) return () => {}
    return projection.subscribe(() => {
      snapshots.delete(projection)
      listener()
    })
  }, [projection])
  const getSnapshot = useCallback(() => (projection ? snapshotOf(projection) : initial), [projection, initial])
  return useSyncExternalStore(subscribe, getSnapshot, () => initial)
}

/** `emit(definition, data, options?)` on the tree's event log; throws `ReactBindingError` `not-ready` before it opens. */
export type Emit = <Type extends string, Data>(definition: EventDefinition<Type, Data>, data: Data, options?: EmitOptions) => string

/** A stable `emit` function for the tree's event log (see `Emit`). */
export function useEmit(): Emit {
  const log = useEventLog()
  return useCallback<Emit>((definition, data, options) => {
    if (!log) throw new ReactBindingError('not-ready', `cannot emit "${definition.type}" yet: the event log opens once the replica has loaded`)
    return log.emit(definition, data, options)
  }, [log])
}
