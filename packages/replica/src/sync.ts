import { awarenessQuery, ErrorCode } from '@driftless/protocol'
import * as Y from 'yjs'
import { Backoff } from './connection/backoff.js'
import type { DocPort } from './connection/multiplexer.js'
import type { ConnectionState, RelayDocMessage } from './connection/socket.js'
import type { DocumentEdits } from './edits.js'
import { ReplicaError, relayError, toStorageError } from './errors.js'
import { Emitter } from './events.js'
import type { PendingChanges, SealedChange } from './pending/changes.js'
import type { PresencePeer } from './presence-port.js'

export interface SyncEvents {
  /** Something about the session changed (state, handshake, read-only). */
  changed(): void
  /** The relay deleted the document (`documentDeleted`): syncing it is over. */
  deleted(): void
  error(error: ReplicaError): void
}

type Phase = 'down' | 'subscribing' | 'live'

interface InFlight {
  seqs: number[]
  update: Uint8Array
  handshake: boolean
}

/**
 * One document's conversation with the relay over a port: subscribe with our state vector, apply the relay's
 * diff, answer its state vector with exactly what it lacks, then stream updates. Every update carries an ack
 * id; pending changes are forgotten only on `ack` (after the relay's storage commit), and resent after any gap.
 */
export class SyncSession extends Emitter<SyncEvents> {
  phase: Phase = 'down'
  transport: ConnectionState = 'offline'
  /** The relay sent its diff and acknowledged our catch-up on this connection. */
  synced = false
  /** The relay refused a write as read-only; local writes are kept locally only until the next connection. */
  readOnly = false
  forbidden = false
  #port: DocPort | undefined
  #nextAckId = 1
  readonly #inFlight = new Map<number, InFlight>()
  #gotDiff = false
  #handshakeAcked = false
  readonly #retry = new Backoff({ baseMs: 200, capMs: 10_000 })
  readonly #retryTimers = new Set<ReturnType<typeof setTimeout>>()
  #epoch = 0
  readonly #stopSending: () => void
  readonly #docId: string
  readonly #doc: Y.Doc
  readonly #pending: PendingChanges
  readonly #edits: DocumentEdits
  /** The replica's presence, once the app asked for it (`@driftless/replica/presence`). */
  readonly #presence: () => PresencePeer | undefined

  constructor(docId: string, doc: Y.Doc, pending: PendingChanges, edits: DocumentEdits, presence: () => PresencePeer | undefined) {
    super()
    this.#docId = docId
    this.#doc = doc
    this.#pending = pending
    this.#edits = edits
    this.#presence = presence
    this.#stopSending = pending.on('sealed', (change) => this.#sendChange(change))
  }

  /** Uses this port from now on (undefined: detached, e.g. after `disconnect()`). */
  setPort(port: DocPort | undefined): void {
    this.#port = port
    if (!port) this.onState('offline')
  }

  onState(state: ConnectionState): void {
    this.transport = state
    this.#reset()
    if (state === 'open' && this.#port) void this.#subscribe(this.#epoch)
    this.emit('changed')
  }

  sendAwareness(update: Uint8Array): void {
    if (this.phase !== 'down') this.#port?.send({ type: 'awareness', docId: this.#docId, update })
  }

  /** Asks the relay for everyone's presence (subscribing brings it too; this is for presence attached later). */
  askPresence(): void {
    this.sendAwareness(awarenessQuery())
  }

  /** A message for this document; `store`: this replica is the one of the browser that stores relay updates. */
  onMessage(message: RelayDocMessage, store: boolean): void {
    switch (message.type) {
      case 'sync-step-2':
        // The answer to this replica's own subscribe: what it lacked, stored by it.
        this.#edits.applyFromRelay(message.update, true)
        this.#gotDiff = true
        this.#checkSynced()
        break
      case 'update':
        this.#edits.applyFromRelay(message.update, store)
        break
      case 'sync-step-1':
        this.#answer(message.stateVector)
        break
      case 'awareness':
        this.#presence()?.receive(message.update, this)
        break
      case 'ack':
        this.#acknowledged(message.ackId)
        break
      case 'error':
        // Connection-wide errors (no document) are reported once, by the connection.
        if (message.docId !== '') this.#error(message.code, message.message, message.ackId)
        break
      default:
        break
    }
  }

  close(): void {
    this.#reset()
    this.#port = undefined
    this.#stopSending()
    this.clear()
  }

  /**
   * A sealed local change, written locally: send it if the session is live and nothing sent on this connection
   * already carries it. Its write can land after the handshake went out, and the handshake covers every change
   * sealed before it: sending it again would reach every other device a second time, and be stored again there.
   */
  #sendChange(change: SealedChange): void {
    if (!this.#pending.has(change.seq) || this.#carries(change.seq)) return
    if (this.readOnly) {
      this.emit('error', new ReplicaError('read-only', `this token grants only reading "${this.#docId}": local changes stay local`))
      return
    }
    if (this.phase === 'live') this.#sendUpdate('update', change.update, [change.seq], false)
  }

  async #subscribe(epoch: number): Promise<void> {
    // Other tabs (or a closed one) may have left pending changes in shared storage: the handshake covers them.
    await this.#pending.adopt().catch((error: unknown) => this.emit('error', toStorageError(error)))
    if (epoch !== this.#epoch || !this.#port) return
    this.phase = 'subscribing'
    this.#port.send({ type: 'subscribe', docId: this.#docId, stateVector: Y.encodeStateVector(this.#doc) })
    const presence = this.#presence()?.local()
    if (presence) this.sendAwareness(presence)
    this.emit('changed')
  }

  /** The relay's state vector: send exactly what it lacks, covering every pending change we hold. */
  #answer(stateVector: Uint8Array): void {
    if (this.phase === 'down' || this.forbidden) return
    this.phase = 'live'
    if (this.readOnly) {
      this.#handshakeAcked = true
    } else {
      const diff = Y.encodeStateAsUpdate(this.#doc, stateVector)
      this.#sendUpdate('sync-step-2', diff, this.#pending.covered(), true)
    }
    this.#checkSynced()
  }

  /** Whether an update awaiting its ack on this connection covers the change `seq`. */
  #carries(seq: number): boolean {
    for (const flight of this.#inFlight.values()) if (flight.seqs.includes(seq)) return true
    return false
  }

  #sendUpdate(type: 'update' | 'sync-step-2', update: Uint8Array, seqs: number[], handshake: boolean): void {
    const ackId = this.#nextAckId++
    this.#inFlight.set(ackId, { seqs, update, handshake })
    this.#port?.send({ type, docId: this.#docId, update, ackId })
  }

  #acknowledged(ackId: number): void {
    const flight = this.#inFlight.get(ackId)
    if (!flight) return
    this.#inFlight.delete(ackId)
    this.#retry.reset()
    if (flight.handshake) this.#handshakeAcked = true
    this.#pending.acknowledge(flight.seqs)
    this.#checkSynced()
  }

  #error(code: number, text: string, ackId: number): void {
    const flight = ackId > 0 ? this.#inFlight.get(ackId) : undefined
    if (flight) this.#inFlight.delete(ackId)
    switch (code) {
      case ErrorCode.readOnly:
        this.readOnly = true
        if (flight?.handshake) this.#handshakeAcked = true
        this.emit('error', new ReplicaError('read-only', `this token grants only reading "${this.#docId}": local changes stay local`))
        this.#checkSynced()
        return
      case ErrorCode.forbidden:
        this.forbidden = true
        this.emit('error', new ReplicaError('forbidden', `the token does not grant "${this.#docId}": ${text}`))
        this.emit('changed')
        return
      case ErrorCode.documentDeleted:
        this.emit('deleted')
        return
      default: {
        const error = relayError(code, text)
        if (flight && error.code === 'relay-busy') this.#resendLater(ackId, flight)
        this.emit('error', error)
      }
    }
  }

  /** Sends `flight` again after a backoff; until then it still counts as carrying its changes (`#carries`). */
  #resendLater(ackId: number, flight: InFlight): void {
    this.#inFlight.set(ackId, flight)
    const epoch = this.#epoch
    const timer = setTimeout(() => {
      this.#retryTimers.delete(timer)
      this.#inFlight.delete(ackId)
      if (epoch !== this.#epoch || this.phase !== 'live') return // the next connection resends everything
      const seqs = flight.seqs.filter((seq) => this.#pending.has(seq))
      if (seqs.length === 0 && !flight.handshake) return
      this.#sendUpdate('update', flight.update, seqs, flight.handshake)
    }, this.#retry.next() + 50)
    this.#retryTimers.add(timer)
  }

  #checkSynced(): void {
    const synced = this.phase === 'live' && this.#gotDiff && this.#handshakeAcked
    if (synced !== this.synced) {
      this.synced = synced
      this.emit('changed')
    }
  }

  #reset(): void {
    this.#epoch++
    this.phase = 'down'
    this.synced = false
    this.#gotDiff = false
    this.#handshakeAcked = false
    this.#inFlight.clear()
    for (const timer of this.#retryTimers) clearTimeout(timer)
    this.#retryTimers.clear()
  }
}
