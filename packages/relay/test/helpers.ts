import { WebSocket } from 'ws'
import * as Y from 'yjs'
import { decodeMessage, encodeMessage, PROTOCOL_VERSION, type Message } from '@driftless/protocol'
import { startTestRelay } from '@driftless/testkit/support'
import type { Relay, RelayOptions } from '../src/index.js'

/** The shared test relay, with documents unloaded soon after their last client leaves. */
export const startRelay = (options: RelayOptions = {}): Promise<Relay> => startTestRelay({ documentIdleMs: 50, ...options })

/** A raw Driftless client: sends messages, records everything it receives, waits for conditions. */
export class TestClient {
  readonly received: Message[] = []
  closeCode: number | null = null
  readonly closed: Promise<number>
  private waiters: (() => void)[] = []

  private constructor(readonly ws: WebSocket) {
    ws.binaryType = 'nodebuffer'
    ws.on('message', (data: Buffer) => {
      const decoded = decodeMessage(new Uint8Array(data))
      if (decoded.ok) this.received.push(decoded.message)
      this.wake()
    })
    this.closed = new Promise(resolve => ws.on('close', code => {
      this.closeCode = code
      this.wake()
      resolve(code)
    }))
    ws.on('error', () => {})
  }

  static async connect(url: string, options: { protocol?: string | null } = {}): Promise<TestClient> {
    const protocol = options.protocol === undefined ? 'driftless' : options.protocol
    const ws = protocol === null ? new WebSocket(url) : new WebSocket(url, protocol)
    const client = new TestClient(ws)
    await new Promise<void>((resolve, reject) => {
      ws.once('open', () => resolve())
      ws.once('error', reject)
      ws.once('unexpected-response', (_request, response) => reject(new Error(`HTTP ${response.statusCode}`)))
    })
    return client
  }

  /** Connects and completes hello/welcome (or not, when the token is refused). */
  static async greeted(url: string, token = ''): Promise<TestClient> {
    const client = await TestClient.connect(url)
    client.send({ type: 'hello', version: PROTOCOL_VERSION, token })
    await client.waitFor(m => m.type === 'welcome' || m.type === 'error')
    return client
  }

  send(message: Message): void {
    this.ws.send(encodeMessage(message))
  }

  sendRaw(data: Uint8Array | string): void {
    this.ws.send(data)
  }

  /** Subscribes with the doc's state vector and waits for the relay's step 2 for it. */
  async subscribe(docId: string, doc?: Y.Doc): Promise<Extract<Message, { type: 'sync-step-2' }>> {
    const stateVector = doc === undefined ? new Uint8Array([0]) : Y.encodeStateVector(doc)
    const start = this.received.length
    this.send({ type: 'subscribe', docId, stateVector })
    const reply = await this.waitFor(m => (m.type === 'sync-step-2' || m.type === 'error') && m.docId === docId, start)
    if (reply.type !== 'sync-step-2') throw new Error(`subscribe failed: ${JSON.stringify(reply)}`)
    return reply
  }

  /** Resolves with the first message (at index ≥ `from`) matching, or rejects after `timeoutMs`. */
  async waitFor<T extends Message = Message>(match: (m: Message) => boolean, from = 0, timeoutMs = 10_000): Promise<T> {
    const deadline = Date.now() + timeoutMs
    for (;;) {
      const found = this.received.slice(from).find(match)
      if (found !== undefined) return found as T
      if (this.closeCode !== null) throw new Error(`socket closed (${this.closeCode}) while waiting`)
      const left = deadline - Date.now()
      if (left <= 0) throw new Error('timed out waiting for a message')
      await new Promise<void>(resolve => {
        const timer = setTimeout(resolve, left)
        this.waiters.push(() => {
          clearTimeout(timer)
          resolve()
        })
      })
    }
  }

  async waitClosed(timeoutMs = 10_000): Promise<number> {
    return Promise.race([
      this.closed,
      new Promise<number>((_, reject) => setTimeout(() => reject(new Error('socket did not close')), timeoutMs).unref()),
    ])
  }

  of<T extends Message['type']>(type: T): Extract<Message, { type: T }>[] {
    return this.received.filter(m => m.type === type) as Extract<Message, { type: T }>[]
  }

  close(): void {
    this.ws.close()
  }

  private wake(): void {
    for (const waiter of this.waiters.splice(0)) waiter()
  }
}

/** A Yjs update that inserts `text` into a fresh client's text `t`. */
export const makeUpdate = (text: string, doc = new Y.Doc()): Uint8Array => {
  let update: Uint8Array | null = null
  const listener = (u: Uint8Array): void => {
    update = u
  }
  doc.on('update', listener)
  doc.getText('t').insert(doc.getText('t').length, text)
  doc.off('update', listener)
  return update!
}
