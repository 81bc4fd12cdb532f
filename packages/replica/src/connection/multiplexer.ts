import type { ReplicaError } from '../errors.js'
import type { ClientDocMessage, ConnectionState, RelayConnection, RelayDocMessage } from './socket.js'

/** What a document's sync session hears from its transport. */
export interface PortHandlers {
  /** The transport's state; each `open` means a fresh session on the relay: subscribe again. */
  state(state: ConnectionState): void
  /**
   * A message about the document. `store`: this client is the one of the browser that stores it; an update
   * the relay fans out reaches every client of its document, but only the oldest one stores it.
   */
  message(message: RelayDocMessage, store: boolean): void
  /** A connection-wide problem (auth, refused version). */
  error(error: ReplicaError): void
}

/** One document's way to the relay (directly, or through the leader tab). */
export interface DocPort {
  send(message: ClientDocMessage): void
  close(): void
}

interface Client {
  docId: string
  handlers: PortHandlers
}

/** Per document, the clients whose subscribe (or sync-step-1) awaits its answer, in the order they asked. */
interface Awaiting {
  diff: Client[]
  stateVector: Client[]
}

/**
 * Many documents (and several replicas of one document) over one connection. Ack ids are remapped so each
 * client picks its own; acks and errors naming an ack id go back to the client that sent it. The relay
 * answers each subscribe on the connection in order, so the answer (its diff and state vector) goes to the
 * client that asked, alone. Everything else about a document goes to every client of that document, with
 * one of them (the oldest) named to store it, so each remote update is written once per browser. The
 * socket is opened for the first client and closed after the last.
 */
export class Multiplexer {
  readonly #clients = new Set<Client>()
  readonly #acks = new Map<number, { client: Client; ackId: number }>()
  readonly #awaiting = new Map<string, Awaiting>()
  #nextAckId = 1
  /** Ours alone: destroying it also drops the listeners set here. */
  readonly #connection: RelayConnection

  constructor(connection: RelayConnection) {
    this.#connection = connection
    connection.on('state', (state) => {
      if (state !== 'open') {
        // Answers of a lost socket never come; clients resend and subscribe again.
        this.#acks.clear()
        this.#awaiting.clear()
      }
      for (const client of [...this.#clients]) client.handlers.state(state)
    })
    connection.on('message', (message) => this.#route(message))
    connection.on('error', (error) => {
      for (const client of [...this.#clients]) client.handlers.error(error)
    })
  }

  attach(docId: string, handlers: PortHandlers): DocPort {
    const client: Client = { docId, handlers }
    this.#clients.add(client)
    this.#connection.start()
    queueMicrotask(() => { if (this.#clients.has(client)) handlers.state(this.#connection.state) })
    return {
      send: (message) => {
        if (!this.#clients.has(client)) return
        this.#connection.send(this.#outgoing(client, message))
      },
      close: () => {
        if (!this.#clients.delete(client)) return
        for (const [id, owner] of this.#acks) if (owner.client === client) this.#acks.delete(id)
        if (![...this.#clients].some((c) => c.docId === docId)) {
          this.#awaiting.delete(docId)
          this.#connection.send({ type: 'unsubscribe', docId })
        }
        if (this.#clients.size === 0) this.#connection.stop()
      },
    }
  }

  destroy(): void {
    this.#clients.clear()
    this.#connection.destroy()
  }

  #outgoing(client: Client, message: ClientDocMessage): ClientDocMessage {
    if (message.type === 'subscribe' || message.type === 'sync-step-1') {
      let awaiting = this.#awaiting.get(message.docId)
      if (!awaiting) this.#awaiting.set(message.docId, (awaiting = { diff: [], stateVector: [] }))
      awaiting.diff.push(client)
      if (message.type === 'subscribe') awaiting.stateVector.push(client)
    }
    if ((message.type !== 'update' && message.type !== 'sync-step-2') || message.ackId === 0) return message
    const ackId = this.#nextAckId++
    this.#acks.set(ackId, { client, ackId: message.ackId })
    return { ...message, ackId }
  }

  #route(message: RelayDocMessage): void {
    if ((message.type === 'ack' || message.type === 'error') && message.ackId > 0) {
      const owner = this.#acks.get(message.ackId)
      if (!owner) return
      this.#acks.delete(message.ackId)
      owner.client.handlers.message({ ...message, ackId: owner.ackId }, true)
      return
    }
    const asker = this.#asker(message)
    if (asker) {
      if (this.#clients.has(asker)) asker.handlers.message(message, true)
      return
    }
    let storer: Client | undefined
    for (const client of [...this.#clients]) {
      if (message.docId !== '' && client.docId !== message.docId) continue
      storer ??= client
      client.handlers.message(message, client === storer)
    }
  }

  /** The client an answer to a subscribe belongs to (undefined: not such an answer, or nobody is waiting). */
  #asker(message: RelayDocMessage): Client | undefined {
    const awaiting = this.#awaiting.get(message.docId)
    if (!awaiting) return undefined
    if (message.type === 'sync-step-2' && message.ackId === 0) return awaiting.diff.shift()
    if (message.type === 'sync-step-1') return awaiting.stateVector.shift()
    // A refused subscribe is answered with an error alone: what was awaited will not come.
    if (message.type === 'error' && message.ackId === 0) this.#awaiting.delete(message.docId)
    return undefined
  }
}
