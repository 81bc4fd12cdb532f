import { createHash, timingSafeEqual } from 'node:crypto'
import type { IncomingMessage, ServerResponse } from 'node:http'
import type { Logger } from 'pino'
import type { Authenticator } from '../auth.js'
import type { AdminContext } from './context.js'
import { documentRoutes } from './document-routes.js'
import { AdminError } from './errors.js'
import { sendJson } from './io.js'
import { openApiDocument } from './openapi.js'
import { versionAdminRoutes } from './versions.js'
import { matchRoute, type AdminRoute } from './routes.js'

/** Options of the admin HTTP API (`createRelay({ admin })`). */
export interface AdminOptions {
  /**
   * A static bearer token that opens the API (`Authorization: Bearer <token>`). Without it, the API is open
   * only to JWTs signed for this relay (see `auth`) carrying `"admin": true`; with neither, `/v1/…` is 404.
   */
  token?: string
  /** Largest request body (`POST /v1/docs/:id/update`). @default the relay's `maxMessageBytes` */
  maxBodyBytes?: number
}

export interface AdminDeps extends AdminContext {
  auth: Authenticator
  logger: Logger
  isClosing(): boolean
}

/** Handles one request if it is the API's (`/v1/…`); false when it is not, or when admin is not configured. */
export type AdminHandler = (request: IncomingMessage, response: ServerResponse) => boolean

const digest = (token: string): Buffer => createHash('sha256').update(token).digest()

/** Every admin route. To add some, list them here and describe them in the OpenAPI file (a test checks both). */
export const adminRoutes = (ctx: AdminContext): AdminRoute[] => [
  ...documentRoutes(ctx),
  ...versionAdminRoutes(ctx),
  { method: 'GET', path: '/v1/openapi.json', handle: async ({ response }) => sendJson(response, 200, openApiDocument()) },
]

/**
 * The admin HTTP API on the relay's port, or null when no admin credential is configured (no token, and the
 * relay verifies no JWTs).
 */
export const createAdminApi = (options: AdminOptions, deps: AdminDeps): AdminHandler | null => {
  const tokenDigest = options.token === undefined || options.token === '' ? null : digest(options.token)
  if (tokenDigest === null && !deps.auth.verifiesJwt) return null
  const routes = adminRoutes(deps)

  const authorized = async (request: IncomingMessage): Promise<boolean> => {
    const match = /^Bearer (\S+)$/i.exec(request.headers.authorization ?? '')
    if (match === null) return false
    const token = match[1]!
    if (tokenDigest !== null && timingSafeEqual(digest(token), tokenDigest)) return true
    return deps.auth.verifyAdmin(token)
  }

  const serve = async (request: IncomingMessage, response: ServerResponse, url: URL, rawPath: string): Promise<void> => {
    if (!(await authorized(request))) {
      response.setHeader('www-authenticate', 'Bearer')
      throw new AdminError('unauthorized', 'send Authorization: Bearer <admin token>')
    }
    if (deps.isClosing()) throw new AdminError('unavailable', 'the relay is shutting down')
    const match = matchRoute(routes, request.method ?? 'GET', rawPath)
    if (match.kind === 'none') throw new AdminError('notFound', 'no such route; see GET /v1/openapi.json')
    if (match.kind === 'wrongMethod') {
      response.setHeader('allow', match.allowed.join(', '))
      throw new AdminError('methodNotAllowed', `this route takes ${match.allowed.join(', ')}`)
    }
    await match.route.handle({ request, response, params: match.params, query: url.searchParams })
  }

  return (request, response) => {
    const rawPath = (request.url ?? '/').split('?')[0]!
    if (rawPath !== '/v1' && !rawPath.startsWith('/v1/')) return false
    const url = new URL(request.url ?? '/', 'http://relay')
    serve(request, response, url, rawPath).catch((error: unknown) => {
      if (!(error instanceof AdminError)) deps.logger.error({ err: error, method: request.method, path: rawPath }, 'admin request failed')
      const refusal = error instanceof AdminError ? error : new AdminError('unavailable', 'storage failed; retry')
      if (response.headersSent) {
        response.destroy()
        return
      }
      sendJson(response, refusal.status, { error: refusal.code, message: refusal.message })
    })
    return true
  }
}

export { AdminError, AdminErrorStatus, type AdminErrorCode } from './errors.js'
