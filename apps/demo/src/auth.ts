import type { TokenSource } from '@driftless/replica'

/**
 * Where the page gets relay tokens when the relay requires them: `npm start` with DRIFTLESS_AUTH_SECRET set
 * signs development tokens at `/dev-token?doc=<id>`. Without that endpoint (auth off, or the Vite dev server)
 * the page connects without a token. A real app fetches its tokens from its own auth server the same way.
 */
export async function devTokenSource(docId: string): Promise<TokenSource | undefined> {
  const fetchToken = async (): Promise<string> => {
    const response = await fetch(`/dev-token?doc=${encodeURIComponent(docId)}`, { cache: 'no-store' })
    const body = response.headers.get('content-type')?.includes('application/json') ? ((await response.json()) as { token?: unknown; error?: unknown }) : {}
    if (!response.ok || typeof body.token !== 'string') throw new Error(typeof body.error === 'string' ? body.error : `no token (${response.status})`)
    return body.token
  }
  try {
    await fetchToken()
  } catch {
    return undefined
  }
  // Called again on every reconnect and before the token expires, so a new one is fetched each time.
  return fetchToken
}
