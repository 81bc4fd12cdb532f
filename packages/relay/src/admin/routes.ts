import type { IncomingMessage, ServerResponse } from 'node:http'
import { MAX_DOC_ID_BYTES } from '@driftless/protocol'
import { AdminError } from './errors.js'

export type AdminMethod = 'GET' | 'POST' | 'DELETE'

/** What a route handler gets: the request, its decoded path parameters and query. */
export interface AdminRequest {
  request: IncomingMessage
  response: ServerResponse
  /** Path parameters by name (`{id}` → `params.id`), URL-decoded. */
  params: Record<string, string>
  query: URLSearchParams
}

/**
 * One admin route. `path` uses OpenAPI's template syntax (`/v1/docs/{id}/update`): each `{name}` matches one
 * URL-encoded path segment. The OpenAPI file describes every route of the table (a test checks both ways).
 */
export interface AdminRoute {
  method: AdminMethod
  path: string
  handle(request: AdminRequest): Promise<void>
}

/** The result of matching a path against the table. */
export type RouteMatch =
  | { kind: 'found'; route: AdminRoute; params: Record<string, string> }
  | { kind: 'wrongMethod'; allowed: AdminMethod[] }
  | { kind: 'none' }

const PARAMETER = /^\{(\w+)\}$/

/**
 * Matches a raw path (still URL-encoded) against the routes. Segments are decoded one by one, so an id may
 * hold `/` (as `%2F`); a raw `.` or `..` segment is refused rather than taken as an id, since proxies and
 * clients normalize those away.
 */
export const matchRoute = (routes: readonly AdminRoute[], method: string, rawPath: string): RouteMatch => {
  const segments = rawPath.split('/').slice(1)
  if (segments.some(segment => segment === '.' || segment === '..')) {
    throw new AdminError('invalidDocId', 'a bare "." or ".." path segment is refused; encode dots in an id as %2E')
  }
  const allowed: AdminMethod[] = []
  for (const route of routes) {
    const params = matchPath(route.path, segments)
    if (params === null) continue
    if (route.method === method) return { kind: 'found', route, params }
    allowed.push(route.method)
  }
  return allowed.length > 0 ? { kind: 'wrongMethod', allowed } : { kind: 'none' }
}

const matchPath = (template: string, segments: readonly string[]): Record<string, string> | null => {
  const parts = template.split('/').slice(1)
  if (parts.length !== segments.length) return null
  const params: Record<string, string> = {}
  for (let i = 0; i < parts.length; i++) {
    const name = PARAMETER.exec(parts[i]!)?.[1]
    if (name === undefined) {
      if (parts[i] !== segments[i]) return null
    } else params[name] = name === 'id' ? decodeId(segments[i]!) : decodeSegment(segments[i]!)
  }
  return params
}

const decodeSegment = (segment: string): string => {
  try {
    return decodeURIComponent(segment)
  } catch {
    throw new AdminError('notFound', 'a path segment is not valid percent-encoded UTF-8')
  }
}

/** A path segment as a document id; throws `invalidDocId`. */
const decodeId = (segment: string): string => {
  let id: string
  try {
    id = decodeURIComponent(segment)
  } catch {
    throw new AdminError('invalidDocId', 'the id is not valid percent-encoded UTF-8')
  }
  const bytes = Buffer.byteLength(id)
  if (bytes === 0 || bytes > MAX_DOC_ID_BYTES) throw new AdminError('invalidDocId', `an id holds 1 to ${MAX_DOC_ID_BYTES} bytes of UTF-8`)
  return id
}
