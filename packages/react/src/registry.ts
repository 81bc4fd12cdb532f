import { openReplica, type Replica, type ReplicaOptions } from '@driftless/replica'
import { ReactBindingError } from './errors.js'
import { ReplicaState } from './replica-state.js'

/** One open replica and the components using it. */
interface Entry {
  readonly replica: Replica
  readonly state: ReplicaState
  readonly identity: string
  users: number
  closeTimer: ReturnType<typeof setTimeout> | undefined
}

/** A component's hold on a replica; `release()` once, when it unmounts. */
export interface ReplicaLease {
  readonly replica: Replica
  readonly state: ReplicaState
  release(): void
}

const entries = new Map<string, Entry>()
const adapterIds = new WeakMap<object, number>()
let nextAdapterId = 0

/** The options that make two replicas of one document different replicas. */
const identityOf = (options: ReplicaOptions): string => {
  const { storage } = options
  const storageKey = typeof storage === 'object' ? `adapter#${adapterIds.get(storage) ?? adapterIds.set(storage, ++nextAdapterId).get(storage)}` : storage ?? ''
  return JSON.stringify([options.relay ?? null, storageKey, options.databaseName ?? '', options.channelPrefix ?? ''])
}

/**
 * Opens the replica of `options.docId`, or shares the one already open. The last release closes it one
 * macrotask later, so React StrictMode's mount → unmount → mount (and any remount in the same turn) keeps
 * the same replica, storage and socket.
 */
export function acquireReplica(options: ReplicaOptions): ReplicaLease {
  const identity = identityOf(options)
  let entry = entries.get(options.docId)
  if (entry && entry.identity !== identity) {
    throw new ReactBindingError('conflicting-options', `"${options.docId}" is already open with other relay/storage options; one document is one replica per page`)
  }
  if (!entry) {
    let replica: Replica
    try {
      replica = openReplica(options)
    } catch (error) {
      throw new ReactBindingError('open-failed', `cannot open "${options.docId}": ${error instanceof Error ? error.message : String(error)}`, { cause: error })
    }
    entry = { replica, state: new ReplicaState(replica), identity, users: 0, closeTimer: undefined }
    entries.set(options.docId, entry)
  }
  const held = entry
  if (held.closeTimer !== undefined) clearTimeout(held.closeTimer)
  held.closeTimer = undefined
  held.users++
  let released = false
  return {
    replica: held.replica,
    state: held.state,
    release() {
      if (released) return
      released = true
      if (--held.users > 0) return
      held.closeTimer = setTimeout(() => {
        if (held.users > 0) return
        entries.delete(options.docId)
        held.state.dispose()
        void held.replica.close()
      }, 0)
    },
  }
}

/** How many replicas the bindings hold open right now (for leak checks in tests and dev tools). */
export const openReplicaCount = (): number => entries.size

/** The state object of a replica opened by the bindings, or a new one for a replica opened elsewhere. */
export const stateOf = (replica: Replica): ReplicaState => {
  for (const entry of entries.values()) if (entry.replica === replica) return entry.state
  return foreignStates.get(replica) ?? foreignStates.set(replica, new ReplicaState(replica)).get(replica)!
}
const foreignStates = new WeakMap<Replica, ReplicaState>()
