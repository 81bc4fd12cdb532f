import { createMemoryStorage, type StorageAdapter, type WebSocketConstructor } from '@driftless/replica'
import { createRelay, type Relay } from '@driftless/relay'
import { configure } from '@testing-library/react'
import { afterEach } from 'vitest'
import { WebSocket } from 'ws'
import { openReplicaCount } from '../src/index.js'

/** Counts what replicas asked of a storage: a replica closed and opened again shows as a second `load`. */
export interface CountingStorage extends StorageAdapter {
  readonly loads: number
}

/** Memory storage that counts `load` calls (a custom adapter is never closed by the replica: it is the app's). */
export function countingStorage(): CountingStorage {
  const inner = createMemoryStorage()
  let loads = 0
  return {
    get loads() { return loads },
    load: (docId) => { loads++; return inner.load(docId) },
    loadPending: (docId) => inner.loadPending!(docId),
    write: (docId, write) => inner.write(docId, write),
    replace: (docId, keys, merged) => inner.replace(docId, keys, merged),
    close: () => inner.close(),
  } as CountingStorage
}

/** `ws` as the replica's WebSocket, counting every socket opened. */
export function countingWebSocket(): { WebSocket: WebSocketConstructor; readonly opened: number; readonly closed: number } {
  let opened = 0
  let closed = 0
  class Counting extends WebSocket {
    constructor(...args: ConstructorParameters<typeof WebSocket>) {
      super(...args)
      opened++
      this.once('close', () => { closed++ })
    }
  }
  return { WebSocket: Counting as unknown as WebSocketConstructor, get opened() { return opened }, get closed() { return closed } }
}

// `waitFor` gives up after 1 s by default; a busy machine may take longer to reach the relay, which is not a failure.
configure({ asyncUtilTimeout: 15_000 })

const relays: Relay[] = []

/** A real relay on port 0 with memory storage, closed after the test. */
export async function startRelay(): Promise<Relay> {
  const relay = await createRelay({ port: 0, host: '127.0.0.1', storage: { kind: 'memory' }, logLevel: 'silent' })
  relays.push(relay)
  return relay
}

/** Waits until no replica is held: the bindings close the last one a macrotask after its last user went. */
export async function noReplicasLeft(timeoutMs = 5_000): Promise<void> {
  const end = Date.now() + timeoutMs
  while (openReplicaCount() > 0) {
    if (Date.now() > end) throw new Error(`${openReplicaCount()} replica(s) still open`)
    await new Promise((resolve) => setTimeout(resolve, 5))
  }
}

let docs = 0
/** A document id no other test uses. */
export const uniqueDoc = (name: string): string => `${name}-${Date.now().toString(36)}-${++docs}`

afterEach(async () => {
  await Promise.all(relays.splice(0).map((relay) => relay.close()))
})
