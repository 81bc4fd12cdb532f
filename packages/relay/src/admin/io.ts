import type { IncomingMessage, ServerResponse } from 'node:http'
import { AdminError } from './errors.js'

/** Answers with a JSON body. */
export const sendJson = (response: ServerResponse, status: number, body: unknown): void => {
  const text = JSON.stringify(body)
  response.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(text) })
  response.end(text)
}

export const sendBytes = (response: ServerResponse, bytes: Uint8Array): void => {
  response.writeHead(200, { 'content-type': 'application/octet-stream', 'content-length': bytes.byteLength })
  response.end(bytes)
}

export const sendEmpty = (response: ServerResponse): void => {
  response.writeHead(204)
  response.end()
}

/** The media type of a request, without parameters, lower case; '' when absent. */
const mediaType = (request: IncomingMessage): string => (request.headers['content-type'] ?? '').split(';')[0]!.trim().toLowerCase()

/**
 * Reads the whole body, refusing a wrong content type and anything over `maxBytes` (from `Content-Length`
 * before reading, or while reading a chunked body). After a refusal the connection is closed, since the rest
 * of the body was not read.
 */
export const readBody = async (request: IncomingMessage, response: ServerResponse, type: string, maxBytes: number): Promise<Uint8Array> => {
  const refuse = (error: AdminError): never => {
    response.setHeader('connection', 'close')
    throw error
  }
  if (mediaType(request) !== type) refuse(new AdminError('unsupportedMediaType', `send the body as ${type}`))
  const declared = Number(request.headers['content-length'] ?? Number.NaN)
  if (declared > maxBytes) refuse(new AdminError('payloadTooLarge', `the body may hold at most ${maxBytes} bytes`))
  const chunks: Buffer[] = []
  let length = 0
  for await (const chunk of request as AsyncIterable<Buffer>) {
    length += chunk.length
    if (length > maxBytes) refuse(new AdminError('payloadTooLarge', `the body may hold at most ${maxBytes} bytes`))
    chunks.push(chunk)
  }
  const body = Buffer.concat(chunks)
  return new Uint8Array(body.buffer, body.byteOffset, body.byteLength)
}

/** Decodes standard or URL-safe base64, refusing anything else (Node's decoder silently skips bad characters). */
export const decodeBase64 = (text: string): Uint8Array | null => {
  if (!/^[A-Za-z0-9+/_-]*={0,2}$/.test(text)) return null
  const bytes = Buffer.from(text, 'base64')
  return new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength)
}

export const encodeBase64 = (bytes: Uint8Array): string => Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('base64')
