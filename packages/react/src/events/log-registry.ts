import { openEventLog, type EventLog, type EventLogOptions } from '@driftless/events'
import type { Replica } from '@driftless/replica'
import { ReactBindingError } from '../errors.js'

/** The event log of one replica and the components using it. */
interface Entry {
  log: EventLog | undefined
  options: EventLogOptions | undefined
  users: number
  closeTimer: ReturnType<typeof setTimeout> | undefined
  readonly ready: Set<(log: EventLog) => void>
  readonly failed: Set<(error: Error) => void>
}

/** A component's hold on a replica's log; `release()` once, when it unmounts. */
export interface LogLease {
  /** Calls `listener` with the log once it is open (at once if it is); returns unsubscribe. */
  onReady(listener: (log: EventLog) => void, onFailed: (error: Error) => void): () => void
  release(): void
}

const entries = new WeakMap<Replica, Entry>()

/**
 * Opens the replica's event log once it has loaded, or shares the open one. Every session that opens a log
 * writes a new stream into the document, so the log outlives StrictMode's remount the way replicas do: the
 * last release closes it a macrotask later. `options` are read when the log opens: the first holder that
 * passed any wins.
 */
export function acquireLog(replica: Replica, options: EventLogOptions | undefined): LogLease {
  let entry = entries.get(replica)
  if (!entry) {
    const created: Entry = { log: undefined, options, users: 0, closeTimer: undefined, ready: new Set(), failed: new Set() }
    entries.set(replica, (entry = created))
    void replica.loaded
      .then(() => (created.users > 0 ? openEventLog(replica, created.options) : undefined))
      .then((log) => {
        if (!log) return
        if (created.users === 0) return void log.close()
        created.log = log
        for (const listener of [...created.ready]) listener(log)
      }, (error: unknown) => {
        entries.delete(replica)
        const failure = new ReactBindingError('open-failed', `cannot open the event log of "${replica.docId}": ${error instanceof Error ? error.message : String(error)}`, { cause: error })
        for (const listener of [...created.failed]) listener(failure)
      })
  }
  const held = entry
  held.options ??= options
  if (held.closeTimer !== undefined) clearTimeout(held.closeTimer)
  held.closeTimer = undefined
  held.users++
  let released = false
  return {
    onReady(listener, onFailed) {
      held.ready.add(listener)
      held.failed.add(onFailed)
      if (held.log) listener(held.log)
      return () => {
        held.ready.delete(listener)
        held.failed.delete(onFailed)
      }
    },
    release() {
      if (released) return
      released = true
      if (--held.users > 0) return
      held.closeTimer = setTimeout(() => {
        if (held.users > 0 || entries.get(replica) !== held) return
        entries.delete(replica)
        if (held.log) void held.log.close()
      }, 0)
    },
  }
}
