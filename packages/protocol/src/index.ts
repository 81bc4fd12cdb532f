export { PROTOCOL_VERSION, MAX_DOC_ID_BYTES, MessageTag, SyncStep, awarenessQuery } from './messages.js'
export type {
  Message, MessageType, DocMessage, Hello, Welcome, Auth, Subscribe, Unsubscribe, SyncStep1, SyncStep2, Update,
  Awareness, Ack, ErrorMessage, Ping, Pong, HistoryFrame, ClientMessage, RelayMessage,
} from './messages.js'
export { ErrorCode, CloseCode, errorCodeName, isErrorCode } from './codes.js'
export { encodeMessage, encodeClientMessage, encodeUpdateParts } from './encode.js'
export { HISTORY_VERSION, HistoryOp, encodeHistoryFrame, decodeHistoryFrame } from './history.js'
export type {
  HistoryMessage, VersionMeta, VersionKindName, VersionsList, VersionCreate, VersionLoad, VersionRestore, VersionsResult,
  VersionContent, VersionError,
} from './history.js'
export { decodeMessage, decodeRelayMessage, ProtocolError } from './decode.js'
export type { DecodeResult, ProtocolErrorCode } from './decode.js'
