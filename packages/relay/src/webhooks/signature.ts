import { createHmac, timingSafeEqual } from 'node:crypto'

/** The header carrying a webhook's signature: `sha256=<hex HMAC-SHA256 of the raw body>`. */
export const SIGNATURE_HEADER = 'x-driftless-signature'

/** The `x-driftless-signature` value of `body` under `secret`. */
export const signWebhook = (secret: string, body: string | Uint8Array): string =>
  `sha256=${createHmac('sha256', secret).update(body).digest('hex')}`

/**
 * Whether `header` (the `x-driftless-signature` value) is the signature of the raw request body `body`
 * under `secret`. Compares in constant time. Verify the bytes you received, before parsing them.
 * @example if (!verifyWebhook(process.env.DRIFTLESS_WEBHOOK_SECRET!, rawBody, req.headers['x-driftless-signature'])) return res.writeHead(401).end()
 */
export const verifyWebhook = (secret: string, body: string | Uint8Array, header: string | string[] | undefined): boolean => {
  if (typeof header !== 'string') return false
  const expected = Buffer.from(signWebhook(secret, body))
  const given = Buffer.from(header)
  return given.length === expected.length && timingSafeEqual(given, expected)
}
