import type { Logger } from 'pino'
import type { Subscriber } from '../room.js'
import type { PendingWrite } from '../storage/types.js'
import { isValidUpdate } from '../validate.js'
import { ChangeDebouncer } from './change-debouncer.js'
import { hookConnection, SERVER_ORIGIN } from './connection.js'
import type { CommitOrigin, HookName, HookOptions, RelayHooks } from './types.js'
import { mergeUpdates } from '../merge-updates.js'

/** What the runner needs from the relay. */
export interface HookRunnerDeps {
  logger: Logger
  /** Commits a seed returned by `onLoad`; resolves once it is durable. */
  commitSeed(docId: string, update: Uint8Array): Promise<void>
}

/**
 * Calls the relay's hooks, each isolated: never awaited on an ack path, errors and timeouts logged with the
 * hook's name, and a bounded number of unsettled calls per hook.
 */
export class HookRunner {
  private readonly unsettled = new Map<HookName, number>()
  private readonly inFlight = new Set<Promise<unknown>>()
  private readonly changes: ChangeDebouncer | null
  private readonly maxPending: number
  private readonly loadTimeoutMs: number

  constructor(private readonly hooks: RelayHooks, options: HookOptions, private readonly deps: HookRunnerDeps) {
    this.maxPending = options.maxPendingHookCalls ?? 1000
    this.loadTimeoutMs = options.onLoadTimeoutMs ?? 10_000
    const debounceMs = options.onChangeDebounceMs ?? 1000
    this.changes = hooks.onChange === undefined ? null
      : new ChangeDebouncer(debounceMs, options.onChangeMaxWaitMs ?? 10_000, (docId, updates) => {
        this.fire('onChange', docId, () => hooks.onChange!({ docId, update: updates.length === 1 ? updates[0]! : mergeUpdates([...updates]) }))
      })
  }

  /** Whether anything listens to commits (so the commit path can skip the work otherwise). */
  get watchesCommits(): boolean {
    return this.hooks.afterCommit !== undefined || this.changes !== null
  }

  /** A storage transaction committed `writes`: `afterCommit` per document and origin, and the `onChange` windows. */
  committed(writes: readonly PendingWrite[]): void {
    if (!this.watchesCommits) return
    const afterCommit = this.hooks.afterCommit
    const groups = new Map<string, { origin: CommitOrigin; updates: Uint8Array[] }[]>()
    for (const write of writes) {
      this.changes?.add(write.docId, write.update)
      if (afterCommit === undefined) continue
      const origin = write.origin ?? SERVER_ORIGIN
      let ofDoc = groups.get(write.docId)
      if (ofDoc === undefined) groups.set(write.docId, (ofDoc = []))
      const group = ofDoc.find(g => g.origin === origin)
      if (group === undefined) ofDoc.push({ origin, updates: [write.update] })
      else group.updates.push(write.update)
    }
    for (const [docId, ofDoc] of groups) {
      for (const { origin, updates } of ofDoc) this.fire('afterCommit', docId, () => afterCommit!({ docId, updates, origin }))
    }
  }

  /**
   * The seed for a document storage does not have, committed before this resolves; `null` for none (no hook,
   * nothing returned, a throw, an invalid update, or no answer within `onLoadTimeoutMs`). Rejects only when
   * committing the seed fails.
   */
  async seed(docId: string): Promise<Uint8Array | null> {
    const onLoad = this.hooks.onLoad
    if (onLoad === undefined) return null
    let timer: NodeJS.Timeout | undefined
    const timedOut = new Promise<'timeout'>(resolve => {
      timer = setTimeout(() => resolve('timeout'), this.loadTimeoutMs)
      timer.unref()
    })
    const answer = await Promise.race([this.call('onLoad', docId, () => onLoad({ docId })), timedOut])
    clearTimeout(timer)
    if (answer === 'timeout') {
      this.deps.logger.warn({ hook: 'onLoad', docId, timeoutMs: this.loadTimeoutMs }, 'hook timed out; the document opens without a seed')
      return null
    }
    if (answer === undefined || (answer instanceof Uint8Array && answer.length === 2 && answer[0] === 0 && answer[1] === 0)) return null
    if (!(answer instanceof Uint8Array) || !isValidUpdate(answer)) {
      this.deps.logger.error({ hook: 'onLoad', docId }, 'hook returned something that is not a Yjs update; the document opens without a seed')
      return null
    }
    await this.deps.commitSeed(docId, answer)
    return answer
  }

  subscribed(docId: string, subscriber: Subscriber): void {
    const onSubscribe = this.hooks.onSubscribe
    if (onSubscribe !== undefined) this.fire('onSubscribe', docId, () => onSubscribe({ docId, connection: hookConnection(subscriber) }))
  }

  unsubscribed(docId: string, subscriber: Subscriber): void {
    const onUnsubscribe = this.hooks.onUnsubscribe
    if (onUnsubscribe !== undefined) this.fire('onUnsubscribe', docId, () => onUnsubscribe({ docId, connection: hookConnection(subscriber) }))
  }

  idle(docId: string): void {
    const onDocumentIdle = this.hooks.onDocumentIdle
    if (onDocumentIdle !== undefined) this.fire('onDocumentIdle', docId, () => onDocumentIdle({ docId }))
  }

  /** Call once a document's deletion is committed. */
  deleted(docId: string): void {
    const onDelete = this.hooks.onDelete
    if (onDelete !== undefined) this.fire('onDelete', docId, () => onDelete({ docId }))
  }

  /** Shutdown: fires pending `onChange` windows, then waits up to `waitMs` for unsettled calls. */
  async close(waitMs: number): Promise<void> {
    this.changes?.flushAll()
    if (this.inFlight.size === 0) return
    let timer: NodeJS.Timeout | undefined
    await Promise.race([
      Promise.allSettled([...this.inFlight]),
      new Promise(resolve => { timer = setTimeout(resolve, waitMs) }),
    ])
    clearTimeout(timer)
  }

  /** A call nobody waits for (it never rejects). */
  private fire(name: HookName, docId: string, run: () => Promise<void> | void): void {
    void this.call(name, docId, run)
  }

  /** Runs one hook call: a sync throw or a rejection is logged and becomes `undefined`. */
  private call<T>(name: HookName, docId: string, run: () => Promise<T> | T): Promise<T | undefined> {
    const count = this.unsettled.get(name) ?? 0
    if (count >= this.maxPending) {
      this.deps.logger.warn({ hook: name, docId, unsettled: count }, 'hook backlog full; call skipped')
      return Promise.resolve(undefined)
    }
    this.unsettled.set(name, count + 1)
    const settled = (async () => run())().catch((error: unknown) => {
      this.deps.logger.error({ err: error, hook: name, docId }, 'hook failed')
      return undefined
    })
    this.inFlight.add(settled)
    void settled.finally(() => {
      this.inFlight.delete(settled)
      this.unsettled.set(name, (this.unsettled.get(name) ?? 1) - 1)
    })
    return settled
  }
}
