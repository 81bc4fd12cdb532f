import * as Y from 'yjs'
import { isValidUpdate } from '../validate.js'
import type { AdminContext } from './context.js'
import { documentJson } from './doc-json.js'
import { AdminError } from './errors.js'
import { decodeBase64, encodeBase64, readBody, sendBytes, sendEmpty, sendJson } from './io.js'
import type { AdminRoute } from './routes.js'
import { writeUpdate } from './write.js'
import { mergeUpdates } from '../merge-updates.js'

const DEFAULT_PAGE = 100
const MAX_PAGE = 1000

/** The document's committed state as one update; throws `documentDeleted` / `documentNotFound`. */
const committedState = async (ctx: AdminContext, docId: string): Promise<Uint8Array> => {
  const [tombstone, rows] = await Promise.all([ctx.storage.tombstone(docId), ctx.storage.load(docId)])
  if (tombstone !== null) throw new AdminError('documentDeleted', `deleted at ${new Date(tombstone.deletedAt).toISOString()}`)
  if (rows.length === 0) throw new AdminError('documentNotFound', 'no such document')
  return rows.length === 1 ? rows[0]!.update : mergeUpdates(rows.map(row => row.update))
}

const summaryJson = (doc: { id: string; bytes: number; updatedAt: number }) =>
  ({ id: doc.id, bytes: doc.bytes, updatedAt: new Date(doc.updatedAt).toISOString() })

const pageLimit = (text: string | null): number => {
  if (text === null) return DEFAULT_PAGE
  const limit = Number(text)
  if (!/^\d+$/.test(text) || limit < 1 || limit > MAX_PAGE) throw new AdminError('invalidQuery', `limit is an integer from 1 to ${MAX_PAGE}`)
  return limit
}

/** A cursor is the last id of the previous page, base64url-encoded (opaque to clients). */
const decodeCursor = (text: string | null): string | undefined => {
  if (text === null) return undefined
  const bytes = decodeBase64(text)
  if (bytes === null || bytes.length === 0) throw new AdminError('invalidQuery', 'cursor is not one this API returned')
  return Buffer.from(bytes).toString('utf8')
}

/** The document routes: list, read (summary, update, JSON), write, delete, restore. */
export const documentRoutes = (ctx: AdminContext): AdminRoute[] => [
  {
    method: 'GET',
    path: '/v1/docs',
    async handle({ response, query }) {
      const limit = pageLimit(query.get('limit'))
      const docs = await ctx.storage.listDocuments({ prefix: query.get('prefix') ?? '', after: decodeCursor(query.get('cursor')), limit: limit + 1 })
      const page = docs.slice(0, limit)
      const next = docs.length > limit ? Buffer.from(page.at(-1)!.id, 'utf8').toString('base64url') : null
      sendJson(response, 200, { docs: page.map(summaryJson), next })
    },
  },
  {
    method: 'GET',
    path: '/v1/docs/{id}',
    async handle({ response, params }) {
      const state = await committedState(ctx, params.id!)
      // The first id with a prefix is the prefix itself: a one-row listing is the document's summary.
      const [summary] = await ctx.storage.listDocuments({ prefix: params.id!, limit: 1 })
      if (summary === undefined || summary.id !== params.id) throw new AdminError('documentNotFound', 'no such document')
      sendJson(response, 200, { ...summaryJson(summary), stateVector: encodeBase64(Y.encodeStateVectorFromUpdate(state)) })
    },
  },
  {
    method: 'GET',
    path: '/v1/docs/{id}/update',
    async handle({ response, params, query }) {
      const state = await committedState(ctx, params.id!)
      const since = query.get('since')
      if (since === null) return sendBytes(response, state)
      const stateVector = decodeBase64(since)
      let diff: Uint8Array
      try {
        if (stateVector === null) throw new Error('not base64')
        diff = Y.diffUpdate(state, stateVector)
      } catch {
        throw new AdminError('invalidQuery', 'since is not a base64 Yjs state vector')
      }
      sendBytes(response, diff)
    },
  },
  {
    method: 'GET',
    path: '/v1/docs/{id}/json',
    async handle({ response, params }) {
      sendJson(response, 200, documentJson(await committedState(ctx, params.id!)))
    },
  },
  {
    method: 'POST',
    path: '/v1/docs/{id}/update',
    async handle({ request, response, params }) {
      const update = await readBody(request, response, 'application/octet-stream', ctx.maxBodyBytes)
      if (!isValidUpdate(update)) throw new AdminError('invalidUpdate', 'the body is not a valid Yjs update (v1); nothing was stored')
      await writeUpdate(ctx.rooms, params.id!, update)
      sendJson(response, 200, { committed: true })
    },
  },
  {
    method: 'DELETE',
    path: '/v1/docs/{id}',
    async handle({ response, params }) {
      await ctx.deleteDocument(params.id!)
      sendEmpty(response)
    },
  },
  {
    method: 'POST',
    path: '/v1/docs/{id}/restore',
    async handle({ response, params }) {
      if (!(await ctx.restoreDocument(params.id!))) throw new AdminError('notDeleted', 'the document is not deleted')
      sendEmpty(response)
    },
  },
]
