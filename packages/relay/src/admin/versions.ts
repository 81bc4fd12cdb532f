import type { IncomingMessage, ServerResponse } from 'node:http'
import { ErrorCode, errorCodeName } from '@driftless/protocol'
import { versionToJson } from '@driftless/history'
import type { RelayContext } from '../context.js'
import { RelayError } from '../errors.js'
import { toMeta } from '../versions/requests.js'
import type { AdminContext } from './context.js'
import { AdminError } from './errors.js'
import { readBody, sendBytes, sendJson } from './io.js'
import type { AdminRoute } from './routes.js'

/** What an admin route handler answers: JSON, or raw bytes (`application/octet-stream`). */
export type AdminResponse = { status: number; json: unknown } | { status: number; bytes: Uint8Array }

/** The part of the relay context the version routes use (the whole `RelayContext` fits). */
export type VersionsContext = Pick<RelayContext, 'versions'>

/** Who version history records for changes made through the admin API. */
const ADMIN = 'admin'

const HTTP_STATUS: Partial<Record<ErrorCode, number>> = {
  [ErrorCode.versionNotFound]: 404,
  [ErrorCode.invalidVersionName]: 400,
  [ErrorCode.invalidUpdate]: 422,
  [ErrorCode.storageFailure]: 503,
  [ErrorCode.restoreFailed]: 503,
  [ErrorCode.documentDeleted]: 410,
}

const failure = (error: unknown): AdminResponse => {
  if (!(error instanceof RelayError)) throw error
  return { status: HTTP_STATUS[error.code] ?? 500, json: { error: errorCodeName(error.code), message: error.message } }
}

/** Path segments are strings: a version id is a positive decimal integer, anything else names no version. */
const parseVersionId = (versionId: string): number => {
  const id = /^[1-9][0-9]{0,15}$/.test(versionId) ? Number(versionId) : Number.NaN
  if (!Number.isSafeInteger(id)) throw new RelayError(ErrorCode.versionNotFound, `no version ${JSON.stringify(versionId)}`)
  return id
}

const handle = async (work: () => Promise<AdminResponse>): Promise<AdminResponse> => {
  try {
    return await work()
  } catch (error) {
    return failure(error)
  }
}

/** `GET /v1/docs/:id/versions` → `{ versions }`, newest first. */
export const listVersions = (ctx: VersionsContext, docId: string): Promise<AdminResponse> =>
  handle(async () => ({ status: 200, json: { versions: (await ctx.versions.list(docId)).map(toMeta) } }))

/** `POST /v1/docs/:id/versions` with `{ name }` → 201 `{ version }`; 400 `invalidVersionName`. */
export const createVersion = (ctx: VersionsContext, docId: string, _versionId: string, body: unknown): Promise<AdminResponse> =>
  handle(async () => {
    const name = typeof body === 'object' && body !== null ? (body as { name?: unknown }).name : undefined
    return { status: 201, json: { version: toMeta(await ctx.versions.createNamed(docId, name, ADMIN)) } }
  })

/** `GET /v1/docs/:id/versions/:v/update` → the version's state as one Yjs update (bytes); 404 `versionNotFound`. */
export const getVersionUpdate = (ctx: VersionsContext, docId: string, versionId: string): Promise<AdminResponse> =>
  handle(async () => ({ status: 200, bytes: (await ctx.versions.get(docId, parseVersionId(versionId))).update }))

/** `GET /v1/docs/:id/versions/:v/json` → `{ version, content }` (`content`: one property per root type). */
export const getVersionJson = (ctx: VersionsContext, docId: string, versionId: string): Promise<AdminResponse> =>
  handle(async () => {
    const { info, update } = await ctx.versions.get(docId, parseVersionId(versionId))
    return { status: 200, json: { version: toMeta(info), content: versionToJson(update) } }
  })

/** `POST /v1/docs/:id/versions/:v/restore` → `{ restored, beforeRestore }` once the restore is committed. */
export const restoreVersion = (ctx: VersionsContext, docId: string, versionId: string): Promise<AdminResponse> =>
  handle(async () => {
    const { restored, beforeRestore } = await ctx.versions.restore(docId, parseVersionId(versionId), ADMIN)
    return { status: 200, json: { restored: toMeta(restored), beforeRestore: toMeta(beforeRestore) } }
  })

/**
 * The version routes for a route table: method, path pattern (`:id` the document, `:v` the version) and
 * handler, each called as `handler(ctx, docId, versionId, parsedJsonBody)`.
 */
export const versionRoutes = [
  { method: 'GET', path: '/v1/docs/:id/versions', handler: listVersions },
  { method: 'POST', path: '/v1/docs/:id/versions', handler: createVersion },
  { method: 'GET', path: '/v1/docs/:id/versions/:v/update', handler: getVersionUpdate },
  { method: 'GET', path: '/v1/docs/:id/versions/:v/json', handler: getVersionJson },
  { method: 'POST', path: '/v1/docs/:id/versions/:v/restore', handler: restoreVersion },
] as const

/** The version routes in the admin API's table (`:id` → `{id}`, `:v` → `{v}`); a POST with a body takes JSON. */
export const versionAdminRoutes = (ctx: AdminContext): AdminRoute[] =>
  versionRoutes.map(({ method, path, handler }) => ({
    method,
    path: path.replace(':id', '{id}').replace(':v', '{v}'),
    async handle({ request, response, params }) {
      const body = path === '/v1/docs/:id/versions' && method === 'POST' ? await readJson(request, response, ctx.maxBodyBytes) : undefined
      const answer = await handler(ctx, params.id!, params.v ?? '', body)
      if ('bytes' in answer) sendBytes(response, answer.bytes)
      else sendJson(response, answer.status, answer.json)
    },
  }))

const readJson = async (request: IncomingMessage, response: ServerResponse, maxBytes: number): Promise<unknown> => {
  const bytes = await readBody(request, response, 'application/json', maxBytes)
  try {
    return JSON.parse(Buffer.from(bytes).toString('utf8'))
  } catch {
    throw new AdminError('invalidJson', 'the body is not JSON')
  }
}
