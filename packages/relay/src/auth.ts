import { createPublicKey, type KeyObject } from 'node:crypto'
import type { IncomingMessage } from 'node:http'
import { createRemoteJWKSet, errors, jwtVerify, SignJWT, type JWTPayload, type JWTVerifyGetKey } from 'jose'
import type { Access, AuthOptions } from './options.js'

/**
 * The `docs` claim of a relay token: document id → `'read' | 'write'`. A key ending in `*` grants every
 * document whose id starts with what precedes it (`"team-7/*"`, or `"*"` for all). The exact id wins over
 * prefixes, and a longer prefix over a shorter one. Example: `{ "board-42": "write", "team-7/*": "read" }`.
 */
export type DocsClaim = Record<string, 'read' | 'write'>

/** What a verified token grants, for the lifetime of the token. */
export interface Grant {
  /** The raw token, for the `authorize` hook. */
  token: string
  /** Unix seconds; 0 when the grant never expires. */
  expiresAt: number
  /** Access from the token's claims; undefined when the `authorize` hook decides per document. */
  claims?: CompiledClaims
  /**
   * Who this is, for version history: the verified token's `sub`, else `anonymous` (also without auth and
   * with the `authorize` hook, which vouches for access, not identity). Never taken from the client's word.
   */
  subject: string
}

export type VerifyResult = { ok: true; grant: Grant } | { ok: false; reason: 'unauthorized' | 'tokenExpired'; message: string }

interface CompiledClaims { exact: Map<string, Access>; prefixes: [string, Access][] }

/** The author of changes sent with a token that names nobody. */
export const ANONYMOUS = 'anonymous'

const OPEN_CLAIMS: CompiledClaims = { exact: new Map(), prefixes: [['', 'write']] }

const compileClaims = (docs: unknown): CompiledClaims => {
  const exact = new Map<string, Access>()
  const prefixes: [string, Access][] = []
  if (typeof docs === 'object' && docs !== null) {
    for (const [pattern, value] of Object.entries(docs)) {
      if (value !== 'read' && value !== 'write') continue
      if (pattern.endsWith('*')) prefixes.push([pattern.slice(0, -1), value])
      else exact.set(pattern, value)
    }
  }
  prefixes.sort((a, b) => b[0].length - a[0].length)
  return { exact, prefixes }
}

const claimAccess = (claims: CompiledClaims, docId: string): Access => {
  const exact = claims.exact.get(docId)
  if (exact !== undefined) return exact
  for (const [prefix, access] of claims.prefixes) if (docId.startsWith(prefix)) return access
  return 'deny'
}

/** Verifies tokens and answers "what may this grant do with this document". */
export class Authenticator {
  /** False when no auth is configured: every client may write every document. */
  readonly enabled: boolean
  private readonly key: Uint8Array | KeyObject | CryptoKey | JWTVerifyGetKey | null

  constructor(private readonly options: AuthOptions | undefined) {
    const { secret, publicKey, jwksUrl, authorize } = options ?? {}
    this.enabled = secret !== undefined || publicKey !== undefined || jwksUrl !== undefined || authorize !== undefined
    if (secret !== undefined) this.key = typeof secret === 'string' ? new TextEncoder().encode(secret) : secret
    else if (publicKey !== undefined) this.key = typeof publicKey === 'string' ? createPublicKey(publicKey) : publicKey
    else if (jwksUrl !== undefined) this.key = createRemoteJWKSet(new URL(jwksUrl))
    else this.key = null
  }

  /** Checks a token presented in `hello`, `auth` or a y-websocket URL. */
  async verify(token: string): Promise<VerifyResult> {
    if (!this.enabled) return { ok: true, grant: { token, expiresAt: 0, claims: OPEN_CLAIMS, subject: ANONYMOUS } }
    if (this.options?.authorize !== undefined) return { ok: true, grant: { token, expiresAt: 0, subject: ANONYMOUS } }
    if (token === '') return { ok: false, reason: 'unauthorized', message: 'a token is required' }
    try {
      const payload = await this.decode(token)
      const subject = typeof payload.sub === 'string' && payload.sub !== '' ? payload.sub : ANONYMOUS
      return { ok: true, grant: { token, expiresAt: payload.exp ?? 0, claims: compileClaims(payload['docs']), subject } }
    } catch (error) {
      if (error instanceof errors.JWTExpired) return { ok: false, reason: 'tokenExpired', message: 'the token expired' }
      return { ok: false, reason: 'unauthorized', message: 'the token does not verify' }
    }
  }

  /**
   * Whether `access` may call the `authorize` hook, which is given the connection's upgrade request: only
   * then does a connection keep that request (headers and all) after its upgrade.
   */
  get readsRequest(): boolean {
    return this.options?.authorize !== undefined
  }

  /** Whether this relay verifies JWTs itself (a secret, public key or JWKS), so admin JWTs can be checked. */
  get verifiesJwt(): boolean {
    return this.key !== null
  }

  /** Whether `token` is a JWT this relay verifies (signature, expiry, issuer, audience) carrying `"admin": true`. */
  async verifyAdmin(token: string): Promise<boolean> {
    if (this.key === null || token === '') return false
    try {
      return (await this.decode(token))['admin'] === true
    } catch {
      return false
    }
  }

  private async decode(token: string): Promise<JWTPayload> {
    const verifyOptions = { issuer: this.options?.issuer, audience: this.options?.audience }
    const { payload } = typeof this.key === 'function'
      ? await jwtVerify(token, this.key, verifyOptions)
      : await jwtVerify(token, this.key as Uint8Array, verifyOptions)
    return payload
  }

  /** Access from the grant's claims, or undefined when only the (async) `authorize` hook can tell. */
  accessNow(grant: Grant, docId: string): Access | undefined {
    return grant.claims === undefined ? undefined : claimAccess(grant.claims, docId)
  }

  /** `request` may be null only when `readsRequest` is false (the grant's claims then always answer). */
  async access(grant: Grant, docId: string, request: IncomingMessage | null): Promise<Access> {
    const now = this.accessNow(grant, docId)
    if (now !== undefined) return now
    if (request === null) throw new Error('the authorize hook needs the upgrade request, and it was not kept')
    const access = await this.options!.authorize!({ token: grant.token, docId, request })
    return access === 'write' || access === 'read' ? access : 'deny'
  }
}

/** Options of `signToken`. */
export interface SignTokenOptions {
  /** The HS256 secret the relay was given as `auth.secret`. */
  secret: string | Uint8Array
  /** What the token grants; see `DocsClaim`. */
  docs: DocsClaim
  /**
   * Lifetime: seconds from now (negative for an already-expired token, in tests) or a jose time span
   * such as `'1h'`. @default '1h'
   */
  expiresIn?: number | string
  /** The `sub` claim, when set. */
  subject?: string
  /** Adds `"admin": true`: the token then also opens the admin HTTP API (`/v1/…`). @default false */
  admin?: boolean
}

/**
 * Signs an HS256 relay token, for tests and development (production tokens come from your auth server
 * with the same claim shape). Example: `await signToken({ secret, docs: { 'board-42': 'write' } })`.
 */
export const signToken = async (options: SignTokenOptions): Promise<string> => {
  const expiresIn = options.expiresIn ?? '1h'
  const jwt = new SignJWT(options.admin === true ? { docs: options.docs, admin: true } : { docs: options.docs })
    .setProtectedHeader({ alg: 'HS256' })
    .setIssuedAt()
    .setExpirationTime(typeof expiresIn === 'number' ? Math.floor(Date.now() / 1000) + expiresIn : expiresIn)
  if (options.subject !== undefined) jwt.setSubject(options.subject)
  const key = typeof options.secret === 'string' ? new TextEncoder().encode(options.secret) : options.secret
  return jwt.sign(key)
}
