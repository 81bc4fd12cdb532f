/** Tuning of webhook delivery (`createRelay({ webhookDelivery })`). */
export interface WebhookDeliveryOptions {
  /** Delay before the first retry; doubles with each failure (with jitter). @default 1000 */
  retryBaseMs?: number
  /** Longest delay between two attempts. @default 300000 (5 minutes) */
  retryCapMs?: number
  /**
   * How long after the event a failing delivery is retried; past it, the delivery is dropped, logged at
   * `error` and counted as `driftless_webhook_deliveries_total{result="dropped"}`.
   * @default 86400000 (24 hours)
   */
  retryHorizonMs?: number
  /** An attempt without a response within this is a failure. @default 10000 */
  timeoutMs?: number
  /** How often the outbox is read for deliveries this relay was not told about (left by a restart or another node). @default 5000 */
  pollMs?: number
  /** How long a claimed delivery stays reserved to this relay; a relay that dies holding it leaves it to others after this. @default 60000 */
  leaseMs?: number
  /** Deliveries in flight at once. @default 8 */
  concurrency?: number
}

/** Everything webhooks need, with defaults filled in. */
export interface WebhookConfig {
  urls: readonly string[]
  secret: string | undefined
  debounceMs: number
  retryBaseMs: number
  retryCapMs: number
  retryHorizonMs: number
  timeoutMs: number
  pollMs: number
  leaseMs: number
  concurrency: number
}

/** Why webhook options were refused. */
export class WebhookConfigError extends Error {
  override readonly name = 'WebhookConfigError'
  readonly code = 'invalidWebhookOption'
}

export const resolveWebhookConfig = (
  urls: readonly string[],
  secret: string | undefined,
  debounceMs: number | undefined,
  delivery: WebhookDeliveryOptions = {},
): WebhookConfig => {
  for (const url of urls) {
    let parsed: URL
    try {
      parsed = new URL(url)
    } catch {
      throw new WebhookConfigError(`webhook URL ${JSON.stringify(url)} is not a URL`)
    }
    if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') {
      throw new WebhookConfigError(`webhook URL ${JSON.stringify(url)} must be http: or https:`)
    }
  }
  const config: WebhookConfig = {
    urls: [...new Set(urls)],
    secret: secret === '' ? undefined : secret,
    debounceMs: debounceMs ?? 1000,
    retryBaseMs: delivery.retryBaseMs ?? 1000,
    retryCapMs: delivery.retryCapMs ?? 300_000,
    retryHorizonMs: delivery.retryHorizonMs ?? 86_400_000,
    timeoutMs: delivery.timeoutMs ?? 10_000,
    pollMs: delivery.pollMs ?? 5000,
    leaseMs: delivery.leaseMs ?? 60_000,
    concurrency: delivery.concurrency ?? 8,
  }
  for (const [name, value] of Object.entries(config)) {
    if (typeof value === 'number' && !(Number.isFinite(value) && value >= 0)) {
      throw new WebhookConfigError(`${name} must be a finite number ≥ 0, got ${value}`)
    }
  }
  if (config.concurrency < 1) throw new WebhookConfigError('concurrency must be at least 1')
  return config
}
