import { createServer, type IncomingHttpHeaders, type Server } from 'node:http'
import type { Socket } from 'node:net'
import type { AddressInfo } from 'node:net'
import type { WebhookEvent } from '../src/index.js'

/** How the receiver answers: 2xx, an HTTP error, or bytes that are not HTTP at all. */
export type ReceiverMode = 'ok' | 'error500' | 'garbage'

export interface ReceivedRequest {
  body: string
  headers: IncomingHttpHeaders
  event: WebhookEvent
  /** What the receiver answered. */
  answered: ReceiverMode
}

/**
 * A real webhook receiver on 127.0.0.1 (a free port picked by the OS). It can be taken down (the port
 * refuses connections) and brought back up on the same port, and switched between answering modes.
 */
export class WebhookReceiver {
  readonly requests: ReceivedRequest[] = []
  mode: ReceiverMode = 'ok'
  private http: Server | null = null
  private readonly sockets = new Set<Socket>()
  private port = 0

  static async start(): Promise<WebhookReceiver> {
    const receiver = new WebhookReceiver()
    await receiver.up()
    return receiver
  }

  get url(): string {
    return `http://127.0.0.1:${this.port}/hooks/driftless`
  }

  /** Events answered with a 2xx, in arrival order. */
  get delivered(): WebhookEvent[] {
    return this.requests.filter(request => request.answered === 'ok').map(request => request.event)
  }

  /** Starts listening (again, on the same port once it had one). */
  async up(): Promise<void> {
    if (this.http !== null) return
    const server = createServer((request, response) => {
      const chunks: Buffer[] = []
      request.on('data', (chunk: Buffer) => chunks.push(chunk))
      request.on('end', () => {
        const body = Buffer.concat(chunks).toString('utf8')
        const answered = this.mode
        this.requests.push({ body, headers: request.headers, event: JSON.parse(body) as WebhookEvent, answered })
        if (answered === 'ok') response.writeHead(204).end()
        else if (answered === 'error500') response.writeHead(500, { 'content-type': 'text/plain' }).end('receiver failed')
        else {
          // Not HTTP: the client must treat this as a failed attempt.
          request.socket.end('ZZZZ this is not an HTTP response\r\n\r\n')
          request.socket.destroy()
        }
      })
    })
    server.on('connection', socket => {
      this.sockets.add(socket)
      socket.on('close', () => this.sockets.delete(socket))
    })
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject)
      server.listen(this.port, '127.0.0.1', () => resolve())
    })
    this.port = (server.address() as AddressInfo).port
    this.http = server
  }

  /** Stops listening: connections to the port are refused until `up()`. */
  async down(): Promise<void> {
    const server = this.http
    if (server === null) return
    this.http = null
    for (const socket of this.sockets) socket.destroy()
    await new Promise<void>(resolve => server.close(() => resolve()))
  }
}
