import * as decoding from 'lib0/decoding'
import * as encoding from 'lib0/encoding'
import { isErrorCode, type ErrorCode } from './codes.js'
import { HISTORY_VERSION, MessageTag, type HistoryFrame } from './messages.js'
import { decodeFrame, ProtocolError, readBytes, readDocId, readString, type DecodeResult } from './read.js'

export { HISTORY_VERSION } from './messages.js'

/** The history messages' operations, the varuint after `HISTORY_VERSION`. */
export const HistoryOp = {
  list: 0, create: 1, load: 2, restore: 3, result: 4, content: 5, error: 6,
} as const

/** Why a version was stored. */
export type VersionKindName = 'named' | 'automatic' | 'beforeRestore'
const KINDS: readonly VersionKindName[] = ['named', 'automatic', 'beforeRestore']

/** A version as the relay describes it (no content). */
export interface VersionMeta {
  id: number
  kind: VersionKindName
  /** Null for automatic versions. */
  name: string | null
  /** Unix milliseconds. */
  createdAt: number
  /** `sub` of whoever asked for it, `anonymous`, or `relay` (automatic). */
  createdBy: string
  /** Size of the version's state, in bytes. */
  bytes: number
  /** Who committed changes between the previous version and this one. */
  authors: string[]
}

/** Client → relay (read access): the document's versions, newest first. `requestId` > 0 is echoed back. */
export interface VersionsList { type: 'versions-list'; docId: string; requestId: number }
/** Client → relay (write access): take a named version of the current state. */
export interface VersionCreate { type: 'version-create'; docId: string; requestId: number; name: string }
/** Client → relay (read access): one version's content. */
export interface VersionLoad { type: 'version-load'; docId: string; requestId: number; versionId: number }
/** Client → relay (write access): restore a version (a forward update, fanned out like any other). */
export interface VersionRestore { type: 'version-restore'; docId: string; requestId: number; versionId: number }
/**
 * Relay → client: the answer to `versions-list` (every version), `version-create` (the new one) or
 * `version-restore` (the restored version, then the "before restore" one), sent once the work is durable.
 */
export interface VersionsResult { type: 'versions-result'; docId: string; requestId: number; versions: VersionMeta[] }
/** Relay → client: the answer to `version-load`: the version's full state as one Yjs update. */
export interface VersionContent { type: 'version-content'; docId: string; requestId: number; version: VersionMeta; update: Uint8Array }
/** Relay → client: a history request was refused; nothing was stored or changed. */
export interface VersionError { type: 'version-error'; docId: string; requestId: number; code: ErrorCode; message: string }

export type HistoryMessage = VersionsList | VersionCreate | VersionLoad | VersionRestore | VersionsResult | VersionContent | VersionError

const writeMeta = (encoder: encoding.Encoder, meta: VersionMeta): void => {
  encoding.writeVarUint(encoder, meta.id)
  encoding.writeVarUint(encoder, KINDS.indexOf(meta.kind))
  encoding.writeVarUint(encoder, meta.name === null ? 0 : 1)
  if (meta.name !== null) encoding.writeVarString(encoder, meta.name)
  encoding.writeVarUint(encoder, meta.createdAt)
  encoding.writeVarString(encoder, meta.createdBy)
  encoding.writeVarUint(encoder, meta.bytes)
  encoding.writeVarUint(encoder, meta.authors.length)
  for (const author of meta.authors) encoding.writeVarString(encoder, author)
}

const readMeta = (decoder: decoding.Decoder): VersionMeta => {
  const id = decoding.readVarUint(decoder)
  const kind = KINDS[decoding.readVarUint(decoder)]
  if (kind === undefined) throw new ProtocolError('malformed-message', 'malformed message: unknown version kind')
  const name = decoding.readVarUint(decoder) === 1 ? readString(decoder) : null
  const createdAt = decoding.readVarUint(decoder)
  const createdBy = readString(decoder)
  const bytes = decoding.readVarUint(decoder)
  const count = decoding.readVarUint(decoder)
  // Each author takes at least one byte: a huge count in a short frame fails here, not after a huge allocation.
  if (count > decoder.arr.length - decoder.pos) throw new ProtocolError('malformed-message', 'malformed message: author count')
  const authors: string[] = []
  for (let i = 0; i < count; i++) authors.push(readString(decoder))
  return { id, kind, name, createdAt, createdBy, bytes, authors }
}

const OPS: Record<HistoryMessage['type'], number> = {
  'versions-list': HistoryOp.list, 'version-create': HistoryOp.create, 'version-load': HistoryOp.load,
  'version-restore': HistoryOp.restore, 'versions-result': HistoryOp.result, 'version-content': HistoryOp.content,
  'version-error': HistoryOp.error,
}

/** Writes a history message after its tag. */
export const writeHistory = (encoder: encoding.Encoder, message: HistoryMessage): void => {
  encoding.writeVarUint(encoder, HISTORY_VERSION)
  encoding.writeVarUint(encoder, OPS[message.type])
  encoding.writeVarString(encoder, message.docId)
  encoding.writeVarUint(encoder, message.requestId)
  switch (message.type) {
    case 'versions-list':
      return
    case 'version-create':
      return encoding.writeVarString(encoder, message.name)
    case 'version-load':
    case 'version-restore':
      return encoding.writeVarUint(encoder, message.versionId)
    case 'versions-result':
      encoding.writeVarUint(encoder, message.versions.length)
      for (const meta of message.versions) writeMeta(encoder, meta)
      return
    case 'version-content':
      writeMeta(encoder, message.version)
      return encoding.writeVarUint8Array(encoder, message.update)
    case 'version-error':
      encoding.writeVarUint(encoder, message.code)
      return encoding.writeVarString(encoder, message.message)
  }
}

/** Reads a history message after its tag. */
export const readHistory = (decoder: decoding.Decoder): HistoryMessage => {
  const version = decoding.readVarUint(decoder)
  if (version !== HISTORY_VERSION) throw new ProtocolError('unknown-message-type', `unknown history message version ${version}`)
  const op = decoding.readVarUint(decoder)
  if (op > HistoryOp.error) throw new ProtocolError('unknown-message-type', `unknown history operation ${op}`)
  const docId = readDocId(decoder)
  const requestId = decoding.readVarUint(decoder)
  switch (op) {
    case HistoryOp.list:
      return { type: 'versions-list', docId, requestId }
    case HistoryOp.create:
      return { type: 'version-create', docId, requestId, name: readString(decoder) }
    case HistoryOp.load:
      return { type: 'version-load', docId, requestId, versionId: decoding.readVarUint(decoder) }
    case HistoryOp.restore:
      return { type: 'version-restore', docId, requestId, versionId: decoding.readVarUint(decoder) }
    case HistoryOp.result: {
      const count = decoding.readVarUint(decoder)
      if (count > decoder.arr.length - decoder.pos) throw new ProtocolError('malformed-message', 'malformed message: version count')
      const versions: VersionMeta[] = []
      for (let i = 0; i < count; i++) versions.push(readMeta(decoder))
      return { type: 'versions-result', docId, requestId, versions }
    }
    case HistoryOp.content:
      return { type: 'version-content', docId, requestId, version: readMeta(decoder), update: readBytes(decoder) }
    default: {
      const code = decoding.readVarUint(decoder)
      if (!isErrorCode(code)) throw new ProtocolError('malformed-message', `malformed message: unknown error code ${code}`)
      return { type: 'version-error', docId, requestId, code, message: readString(decoder) }
    }
  }
}

/** A history message as a client sends it (see `HistoryFrame`): encoded here, carried as is. */
export const encodeHistoryFrame = (message: HistoryMessage): HistoryFrame => {
  const encoder = encoding.createEncoder()
  encoding.writeVarUint(encoder, MessageTag.history)
  writeHistory(encoder, message)
  return { type: 'history-frame', docId: message.docId, frame: encoding.toUint8Array(encoder) }
}

/** Decodes a history message a client received as a `HistoryFrame`. Never throws. */
export const decodeHistoryFrame = ({ frame }: HistoryFrame): DecodeResult<HistoryMessage> => decodeFrame(frame, (decoder, tag) => {
  if (tag !== MessageTag.history) throw new ProtocolError('unknown-message-type', `not a history message: type ${tag}`)
  return readHistory(decoder)
})
