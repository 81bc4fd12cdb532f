import { request as httpRequest } from 'node:http'
import type { Relay } from '../src/index.js'

/** An answer of the admin API: status, headers, and the body as bytes and (when it is JSON) parsed. */
export interface AdminAnswer {
  status: number
  headers: Record<string, string | string[] | undefined>
  bytes: Uint8Array
  json: unknown
}

export interface AdminCall {
  token?: string
  body?: Uint8Array | string
  contentType?: string
}

/**
 * Calls the relay over plain HTTP with the path sent exactly as given (no URL normalization, unlike fetch,
 * so `..` segments and odd encodings reach the relay as a client could send them).
 */
export const admin = (relay: Relay, method: string, path: string, call: AdminCall = {}): Promise<AdminAnswer> =>
  new Promise((resolve, reject) => {
    const headers: Record<string, string> = {}
    if (call.token !== undefined) headers.authorization = `Bearer ${call.token}`
    if (call.contentType !== undefined) headers['content-type'] = call.contentType
    const body = typeof call.body === 'string' ? Buffer.from(call.body) : call.body === undefined ? undefined : Buffer.from(call.body)
    if (body !== undefined) headers['content-length'] = String(body.length)
    const req = httpRequest({ host: '127.0.0.1', port: relay.port, method, path, headers }, response => {
      const chunks: Buffer[] = []
      response.on('data', (chunk: Buffer) => chunks.push(chunk))
      response.on('end', () => {
        const bytes = new Uint8Array(Buffer.concat(chunks))
        const isJson = (response.headers['content-type'] ?? '').startsWith('application/json')
        resolve({ status: response.statusCode ?? 0, headers: response.headers, bytes, json: isJson ? JSON.parse(Buffer.from(bytes).toString('utf8')) : undefined })
      })
      response.on('error', reject)
    })
    req.on('error', reject)
    req.end(body)
  })

/** `/v1/docs/<id><rest>` with the id encoded as one path segment. */
export const docPath = (id: string, rest = ''): string => `/v1/docs/${encodeURIComponent(id)}${rest}`
