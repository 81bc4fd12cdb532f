import type { IncomingMessage, ServerResponse } from 'node:http'
import type { Duplex } from 'node:stream'
import type { AdminHandler } from './admin/index.js'
import type { RelayMetrics } from './metrics.js'
import type { RelayStorage } from './storage/types.js'

/** A document id no client can have asked for: the health check loads it to prove storage answers. */
const HEALTH_PROBE_DOC = '\u0000driftless-health-probe'

/**
 * `GET /healthz`, `GET /metrics` and, when configured, the admin API (`/v1/…`); anything else is 404
 * (websockets arrive as upgrades, not here).
 */
export const handleHttp = (storage: RelayStorage, metrics: RelayMetrics, isClosing: () => boolean, admin: AdminHandler | null = null) =>
  (request: IncomingMessage, response: ServerResponse): void => {
    if (admin?.(request, response) === true) return
    const path = (request.url ?? '/').split('?')[0]
    if (request.method === 'GET' && path === '/healthz') {
      if (isClosing()) return json(response, 503, { ok: false, reason: 'shutting down' })
      storage.load(HEALTH_PROBE_DOC).then(
        () => json(response, 200, { ok: true }),
        (error: unknown) => json(response, 503, { ok: false, reason: error instanceof Error ? error.message : 'storage failed' }),
      )
      return
    }
    if (request.method === 'GET' && path === '/metrics') {
      metrics.registry.metrics().then(
        text => {
          response.writeHead(200, { 'content-type': metrics.registry.contentType })
          response.end(text)
        },
        () => json(response, 500, { ok: false }),
      )
      return
    }
    json(response, 404, { ok: false, reason: 'not found' })
  }

const json = (response: ServerResponse, status: number, body: unknown): void => {
  response.writeHead(status, { 'content-type': 'application/json' })
  response.end(JSON.stringify(body))
}

/** Refuses an upgrade with a plain HTTP status before any websocket exists. */
export const refuseUpgrade = (socket: Duplex, status: number, text: string): void => {
  if (socket.writable) socket.end(`HTTP/1.1 ${status} ${text}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`)
  socket.destroy()
}
