export { PROTOCOL_VERSION, MAX_DOC_ID_BYTES, MessageTag, SyncStep } from './messages.js'
export type {
  Message, MessageType, DocMessage, Hello, Welcome, Auth, Subscribe, Unsubscribe, SyncStep1, SyncStep2, Update,
  Awareness, Ack, ErrorMessage, Ping, Pong,
} from './messages.js'
export { ErrorCode, CloseCode, errorCodeName, isErrorCode } from './codes.js'
export { encodeMessage } from './encode.js'
export { decodeMessage, ProtocolError } from './decode.js'
export type { DecodeResult, ProtocolErrorCode } from './decode.js'
