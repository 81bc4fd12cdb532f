import * as Y from 'yjs'
import { ErrorCode, type DocMessage, type HistoryMessage, type VersionMeta } from '@driftless/protocol'
import type { DocPort } from './connection/multiplexer.js'
import { ReplicaError, type ReplicaErrorCode } from './errors.js'

export type { VersionMeta } from '@driftless/protocol'

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

/**
 * A replica's version history requests. They need the relay (history lives there), so they are refused with
 * `offline` rather than queued: a restore must not be applied later, on top of edits made in the meantime,
 * by surprise. Answers are matched by random request ids, since every replica of the document (in this tab
 * or, through the leader tab, in others) hears them.
 */
export class VersionRequests {
  readonly #pending = new Map<number, { resolve(answer: Answer): void; reject(error: ReplicaError): void }>()

  constructor(
    private readonly docId: string,
    private readonly port: () => DocPort | undefined,
    private readonly online: () => boolean,
  ) {}

  /** The document's versions, newest first. */
  async list(): Promise<VersionMeta[]> {
    return ((await this.#ask({ type: 'versions-list' })) as Extract<Answer, { type: 'versions-result' }>).versions
  }

  async create(name: string): Promise<VersionMeta> {
    return ((await this.#ask({ type: 'version-create', name })) as Extract<Answer, { type: 'versions-result' }>).versions[0]!
  }

  /** A detached `Y.Doc` holding the version: edits to it are neither stored nor sent. */
  async load(versionId: number): Promise<Y.Doc> {
    const answer = (await this.#ask({ type: 'version-load', versionId })) as Extract<Answer, { type: 'version-content' }>
    const doc = new Y.Doc({ meta: { driftlessVersion: answer.version } })
    Y.applyUpdate(doc, answer.update)
    return doc
  }

  async restore(versionId: number): Promise<{ restored: VersionMeta; beforeRestore: VersionMeta }> {
    const { versions } = (await this.#ask({ type: 'version-restore', versionId })) as Extract<Answer, { type: 'versions-result' }>
    return { restored: versions[0]!, beforeRestore: versions[1]! }
  }

  /** Routed every message of the document; takes the answers to this replica's requests. */
  onMessage(message: DocMessage): void {
    if (message.type !== 'versions-result' && message.type !== 'version-content' && message.type !== 'version-error') return
    const waiter = this.#pending.get(message.requestId)
    if (waiter === undefined) return
    this.#pending.delete(message.requestId)
    if (message.type === 'version-error') waiter.reject(new ReplicaError(errorFor(message.code), message.message))
    else waiter.resolve(message)
  }

  /** The connection went down: answers to requests in flight will never come. */
  onOffline(): void {
    for (const waiter of this.#pending.values()) {
      waiter.reject(new ReplicaError('offline', 'the connection to the relay was lost before the answer came'))
    }
    this.#pending.clear()
  }

  #ask(body: RequestBody): Promise<Answer> {
    const port = this.port()
    if (port === undefined || !this.online()) {
      return Promise.reject(new ReplicaError('offline', 'version history needs the relay; this replica is not connected'))
    }
    let requestId = 0
    while (requestId === 0 || this.#pending.has(requestId)) requestId = 1 + Math.floor(Math.random() * (2 ** 48))
    return new Promise<Answer>((resolve, reject) => {
      this.#pending.set(requestId, { resolve, reject })
      port.send({ ...body, docId: this.docId, requestId } as Request)
    })
  }
}
