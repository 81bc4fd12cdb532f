import { ErrorCode, type HistoryMessage, type VersionMeta } from '@driftless/protocol'
import type { Logger } from 'pino'
import { RelayError } from '../errors.js'
import type { Access } from '../options.js'
import type { VersionInfo } from '../storage/versions.js'
import type { VersionService } from './service.js'

/** The history messages a client may send. */
export type HistoryRequest = Extract<HistoryMessage, { type: 'versions-list' | 'version-create' | 'version-load' | 'version-restore' }>

export const isHistoryRequest = (message: { type: string }): message is HistoryRequest =>
  message.type === 'versions-list' || message.type === 'version-create' || message.type === 'version-load' || message.type === 'version-restore'

/** What the connection knows about the requester: its access to the document (or why it has none) and who it is. */
export interface Requester {
  access: Access | 'notSubscribed' | 'expired' | 'unauthenticated'
  subject: string
}

export const toMeta = (info: VersionInfo): VersionMeta => ({
  id: info.id, kind: info.kind, name: info.name, createdAt: info.createdAt, createdBy: info.createdBy, bytes: info.bytes,
  authors: info.authors,
})

const refusal = (access: Requester['access'], need: 'read' | 'write'): RelayError | null => {
  switch (access) {
    case 'expired': return new RelayError(ErrorCode.tokenExpired, 'the token expired; send auth with a fresh one')
    case 'unauthenticated': return new RelayError(ErrorCode.unauthorized, 'not authenticated')
    case 'deny': return new RelayError(ErrorCode.forbidden, 'the token does not grant this document')
    case 'notSubscribed': return new RelayError(ErrorCode.notSubscribed, 'subscribe to the document first')
    case 'read': return need === 'write' ? new RelayError(ErrorCode.readOnly, 'the token grants only read access; nothing was changed') : null
    case 'write': return null
  }
}

/**
 * Answers one history request of a Driftless connection with exactly one message: the result once the work
 * is durable, or `version-error`. Read access lists and loads; write access creates and restores.
 */
export const answerHistoryRequest = async (
  versions: VersionService,
  request: HistoryRequest,
  requester: Requester,
  send: (message: HistoryMessage) => void,
  logger: Logger,
): Promise<void> => {
  const { docId, requestId } = request
  try {
    const refused = refusal(requester.access, request.type === 'versions-list' || request.type === 'version-load' ? 'read' : 'write')
    if (refused !== null) throw refused
    switch (request.type) {
      case 'versions-list':
        return send({ type: 'versions-result', docId, requestId, versions: (await versions.list(docId)).map(toMeta) })
      case 'version-create': {
        const created = await versions.createNamed(docId, request.name, requester.subject)
        return send({ type: 'versions-result', docId, requestId, versions: [toMeta(created)] })
      }
      case 'version-load': {
        const { info, update } = await versions.get(docId, request.versionId)
        return send({ type: 'version-content', docId, requestId, version: toMeta(info), update })
      }
      case 'version-restore': {
        const { restored, beforeRestore } = await versions.restore(docId, request.versionId, requester.subject)
        return send({ type: 'versions-result', docId, requestId, versions: [toMeta(restored), toMeta(beforeRestore)] })
      }
    }
  } catch (error) {
    if (!(error instanceof RelayError)) logger.error({ err: error, docId }, 'history request failed')
    const code = error instanceof RelayError ? error.code : ErrorCode.storageFailure
    const message = error instanceof RelayError ? error.message : 'the request failed; nothing was changed'
    send({ type: 'version-error', docId, requestId, code, message })
  }
}
