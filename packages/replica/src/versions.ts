import * as Y from 'yjs'
import {
  ErrorCode, decodeHistoryFrame, encodeHistoryFrame, type HistoryFrame, type HistoryMessage, type VersionMeta,
} from '@driftless/protocol'
import { ReplicaError, type ReplicaErrorCode } from './errors.js'
import { historyTap, type Replica } from './replica.js'

export type { VersionMeta } from '@driftless/protocol'

/** The document's versions on the relay, newest first. Needs the relay (`offline` otherwise) and read access. */
export const listVersions = async (replica: Replica): Promise<VersionMeta[]> =>
  (await requestsOf(replica).ask({ type: 'versions-list' }, 'versions-result')).versions

/** Takes a named version of the document as the relay holds it now. Needs write access. */
export const createVersion = async (replica: Replica, name: string): Promise<VersionMeta> =>
  (await requestsOf(replica).ask({ type: 'version-create', name }, 'versions-result')).versions[0]!

/** A version's content, for preview: a detached `Y.Doc` (edits to it are neither stored nor sent). */
export const loadVersion = async (replica: Replica, id: number): Promise<Y.Doc> => {
  const answer = await requestsOf(replica).ask({ type: 'version-load', versionId: id }, 'version-content')
  const doc = new Y.Doc({ meta: { driftlessVersion: answer.version } })
  Y.applyUpdate(doc, answer.update)
  return doc
}

/**
 * Restores a version on the relay: the relay keeps a "before restore" version (restore it to undo), then
 * commits a forward change that arrives here like any remote update. Refused with `offline` when not
 * connected, never queued. Needs write access.
 */
export const restoreVersion = async (replica: Replica, id: number): Promise<{ restored: VersionMeta; beforeRestore: VersionMeta }> => {
  const { versions } = await requestsOf(replica).ask({ type: 'version-restore', versionId: id }, 'versions-result')
  return { restored: versions[0]!, beforeRestore: versions[1]! }
}

type Request = Extract<HistoryMessage, { type: 'versions-list' | 'version-create' | 'version-load' | 'version-restore' }>
type Answer = Extract<HistoryMessage, { type: 'versions-result' | 'version-content' }>
type RequestBody = Request extends infer R ? R extends Request ? Omit<R, 'docId' | 'requestId'> : never : never

/** What the relay's refusal means for the app (see `ReplicaErrorCode`). */
const errorFor = (code: number): ReplicaErrorCode => {
  switch (code) {
    case ErrorCode.readOnly: return 'read-only'
    case ErrorCode.forbidden: return 'forbidden'
    case ErrorCode.unauthorized:
    case ErrorCode.tokenExpired: return 'unauthorized'
    case ErrorCode.versionNotFound: return 'version-not-found'
    case ErrorCode.invalidVersionName: return 'invalid-version-name'
    case ErrorCode.restoreFailed: return 'restore-failed'
    case ErrorCode.storageFailure:
    case ErrorCode.rateLimited:
    case ErrorCode.notSubscribed: return 'relay-busy'
    default: return 'relay-rejected'
  }
}

const requests = new WeakMap<Replica, VersionRequests>()

const requestsOf = (replica: Replica): VersionRequests => {
  let found = requests.get(replica)
  if (!found) requests.set(replica, (found = new VersionRequests(replica)))
  return found
}

/**
 * A replica's version history requests. They need the relay (history lives there), so they are refused with
 * `offline` rather than queued: a restore must not be applied later, on top of edits made in the meantime,
 * by surprise. Answers are matched by random request ids, since every replica of the document (in this tab
 * or, through the leader tab, in others) hears them.
 */
class VersionRequests {
  readonly #pending = new Map<number, { resolve(answer: Answer): void; reject(error: ReplicaError): void }>()
  readonly #docId: string
  readonly #send: (frame: HistoryFrame) => boolean

  constructor(replica: Replica) {
    this.#docId = replica.docId
    this.#send = replica[historyTap]({ message: (frame) => this.#onMessage(frame), offline: () => this.#onOffline() })
  }

  ask<T extends Answer['type']>(body: RequestBody, expected: T): Promise<Extract<Answer, { type: T }>> {
    let requestId = 0
    while (requestId === 0 || this.#pending.has(requestId)) requestId = 1 + Math.floor(Math.random() * (2 ** 48))
    const answer = new Promise<Answer>((resolve, reject) => this.#pending.set(requestId, { resolve, reject }))
    if (!this.#send(encodeHistoryFrame({ ...body, docId: this.#docId, requestId } as Request))) {
      this.#pending.delete(requestId)
      return Promise.reject(new ReplicaError('offline', 'version history needs the relay; this replica is not connected'))
    }
    return answer.then((received) => {
      if (received.type !== expected) throw new ReplicaError('relay-rejected', `the relay answered ${received.type} to a ${body.type}`)
      return received as Extract<Answer, { type: T }>
    })
  }

  /** A history message for the document; takes the answers to this replica's requests. */
  #onMessage(frame: HistoryFrame): void {
    const decoded = decodeHistoryFrame(frame)
    if (!decoded.ok) return // a newer relay's layout: the request it answers fails when the connection does
    const message = decoded.message
    if (message.type !== 'versions-result' && message.type !== 'version-content' && message.type !== 'version-error') return
    const waiter = this.#pending.get(message.requestId)
    if (waiter === undefined) return
    this.#pending.delete(message.requestId)
    if (message.type === 'version-error') waiter.reject(new ReplicaError(errorFor(message.code), message.message))
    else waiter.resolve(message)
  }

  /** The connection went down: answers to requests in flight will never come. */
  #onOffline(): void {
    for (const waiter of this.#pending.values()) {
      waiter.reject(new ReplicaError('offline', 'the connection to the relay was lost before the answer came'))
    }
    this.#pending.clear()
  }
}
