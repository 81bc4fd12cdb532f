import { Counter, type Registry } from 'prom-client'

/** Outcome of one delivery attempt. */
export type DeliveryResult = 'delivered' | 'failed' | 'dropped'

/** `driftless_webhook_deliveries_total{result}`, on the relay's registry. */
export class WebhookMetrics {
  private readonly deliveries: Counter<'result'>

  constructor(registry: Registry) {
    this.deliveries = new Counter({
      name: 'driftless_webhook_deliveries_total',
      help: 'Webhook delivery attempts by result: delivered (2xx), failed (will be retried), dropped (past the retry horizon).',
      labelNames: ['result'],
      registers: [registry],
    })
    for (const result of ['delivered', 'failed', 'dropped'] as const) this.deliveries.inc({ result }, 0)
  }

  count(result: DeliveryResult): void {
    this.deliveries.inc({ result })
  }
}
