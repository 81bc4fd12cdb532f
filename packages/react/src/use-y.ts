import type { Replica } from '@driftless/replica'
import { useCallback, useRef, useSyncExternalStore } from 'react'
import type * as Y from 'yjs'
import { useReplicaOf } from './context.js'

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type AnyType = Y.AbstractType<any>

/** A shared type, or a function that finds it in the replica's document (`doc => doc.getMap('cards')`). */
export type YTypeSource<T extends AnyType> = T | ((doc: Y.Doc) => T)

/**
 * How many changes each type (deep) has seen, so snapshots are recomputed only after a change. Counted by one
 * observer per type, attached at its first snapshot and kept: a count bumped only by React's subscription
 * would miss a change made between a render and the subscription (React subscribes in a passive effect), and
 * the component would show the stale snapshot until the next change.
 */
const versions = new WeakMap<AnyType, { changes: number }>()

const versionOf = (type: AnyType): number => {
  let version = versions.get(type)
  if (!version) {
    const counted = { changes: 0 }
    type.observeDeep(() => { counted.changes++ })
    versions.set(type, (version = counted))
  }
  return version.changes
}

/**
 * A snapshot of a `Y.Map`, `Y.Array`, `Y.Text` or `Y.XmlFragment` (its `toJSON()`, or what `selector` picks)
 * that re-renders the component only when that type (or something nested in it) changes, and with a
 * selector only when the selected value changes (`Object.is`). `undefined` on the server and before the
 * replica opens when the type is given as a function of the document.
 */
export function useY<T extends AnyType, Selected = ReturnType<T['toJSON']>>(
  source: YTypeSource<T> | undefined,
  selector?: (type: T) => Selected,
  replica?: Replica,
): Selected | undefined {
  const doc = useReplicaOf(replica)?.doc
  const type = typeof source === 'function' ? (doc ? source(doc) : undefined) : source
  const select = useRef(selector)
  select.current = selector
  const cache = useRef<{ type: T; version: number; value: Selected } | undefined>(undefined)

  const subscribe = useCallback((listener: () => void) => {
    if (!type) return () => {}
    // The counting observer was attached first (at the render's snapshot), so it has counted this change
    // by the time React asks for the new snapshot.
    versionOf(type)
    type.observeDeep(listener)
    return () => type.unobserveDeep(listener)
  }, [type])

  const getSnapshot = useCallback((): Selected | undefined => {
    if (!type) return undefined
    const version = versionOf(type)
    const cached = cache.current
    if (cached && cached.type === type && cached.version === version) return cached.value
    const value = select.current ? select.current(type) : (type.toJSON() as Selected)
    // An unchanged selection keeps its identity, so the component does not re-render.
    const kept = cached && cached.type === type && Object.is(cached.value, value) ? cached.value : value
    cache.current = { type, version, value: kept }
    return kept
  }, [type])

  return useSyncExternalStore(subscribe, getSnapshot, () => undefined)
}
