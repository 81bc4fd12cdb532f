import fc from 'fast-check'
import { ErrorCode, MAX_DOC_ID_BYTES, type Message } from '../src/index.js'

const uint = fc.nat({ max: Number.MAX_SAFE_INTEGER })
const bytes = fc.uint8Array({ maxLength: 64 })
const docId = fc
  .string({ unit: 'grapheme', minLength: 1, maxLength: 40 })
  .filter((id) => new TextEncoder().encode(id).length <= MAX_DOC_ID_BYTES)
const text = fc.string({ unit: 'grapheme', maxLength: 40 })
const errorCode = fc.constantFrom(...Object.values(ErrorCode))

const meta = fc.record({
  id: uint, kind: fc.constantFrom('named' as const, 'automatic' as const, 'beforeRestore' as const),
  name: fc.oneof(fc.constant(null), text), createdAt: uint, createdBy: text, bytes: uint, authors: fc.array(text, { maxLength: 4 }),
})

/** Every message type, with arbitrary field values. */
export const anyMessage: fc.Arbitrary<Message> = fc.oneof(
  fc.record({ type: fc.constant('hello' as const), version: uint, token: text }),
  fc.record({ type: fc.constant('welcome' as const), version: uint, expiresAt: uint }),
  fc.record({ type: fc.constant('auth' as const), token: text }),
  fc.record({ type: fc.constant('subscribe' as const), docId, stateVector: bytes }),
  fc.record({ type: fc.constant('unsubscribe' as const), docId }),
  fc.record({ type: fc.constant('sync-step-1' as const), docId, stateVector: bytes }),
  fc.record({ type: fc.constant('sync-step-2' as const), docId, update: bytes, ackId: uint }),
  fc.record({ type: fc.constant('update' as const), docId, update: bytes, ackId: uint }),
  fc.record({ type: fc.constant('awareness' as const), docId, update: bytes }),
  fc.record({ type: fc.constant('ack' as const), docId, ackId: uint }),
  fc.record({ type: fc.constant('error' as const), docId: fc.oneof(fc.constant(''), docId), code: errorCode, message: text, ackId: uint }),
  fc.record({ type: fc.constant('ping' as const), nonce: uint }),
  fc.record({ type: fc.constant('pong' as const), nonce: uint }),
  fc.record({ type: fc.constant('versions-list' as const), docId, requestId: uint }),
  fc.record({ type: fc.constant('version-create' as const), docId, requestId: uint, name: text }),
  fc.record({ type: fc.constant('version-load' as const), docId, requestId: uint, versionId: uint }),
  fc.record({ type: fc.constant('version-restore' as const), docId, requestId: uint, versionId: uint }),
  fc.record({ type: fc.constant('versions-result' as const), docId, requestId: uint, versions: fc.array(meta, { maxLength: 3 }) }),
  fc.record({ type: fc.constant('version-content' as const), docId, requestId: uint, version: meta, update: bytes }),
  fc.record({ type: fc.constant('version-error' as const), docId, requestId: uint, code: errorCode, message: text }),
)
