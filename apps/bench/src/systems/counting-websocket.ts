import WebSocket from 'ws'

/** Bytes carried by the websocket frames (payloads) of every socket made by one counting class. */
export interface ByteCounter {
  sent: number
  received: number
  sockets: number
}

export const createByteCounter = (): ByteCounter => ({ sent: 0, received: 0, sockets: 0 })

const byteLength = (data: unknown): number => {
  if (typeof data === 'string') return Buffer.byteLength(data)
  if (Array.isArray(data)) return data.reduce((sum: number, part) => sum + byteLength(part), 0)
  if (data instanceof ArrayBuffer) return data.byteLength
  if (ArrayBuffer.isView(data)) return data.byteLength
  return 0
}

/** A `ws` WebSocket class that adds every frame payload it sends or receives to `counter`. */
export const countingWebSocket = (counter: ByteCounter): typeof WebSocket => {
  class CountingWebSocket extends WebSocket {
    constructor(address: string | URL, protocols?: string | string[], options?: WebSocket.ClientOptions) {
      super(address, protocols, options)
      counter.sockets++
      this.on('message', (data) => { counter.received += byteLength(data) })
    }

    override send(data: unknown, ...rest: unknown[]): void {
      counter.sent += byteLength(data)
      ;(WebSocket.prototype.send as (...a: unknown[]) => void).call(this, data, ...rest)
    }
  }
  // Only the client constructor is used; ws's server-side `null` address overload does not apply.
  return CountingWebSocket as unknown as typeof WebSocket
}
