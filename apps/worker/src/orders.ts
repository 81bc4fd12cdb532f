import { defineEvent } from '@driftless/events'

/** A customer placed an order: the worker sends the confirmation, once. */
export interface OrderPlaced {
  readonly orderId: string
  readonly email: string
}

const isObject = (data: unknown): data is Record<string, unknown> => typeof data === 'object' && data !== null

export const orderPlaced = defineEvent('order.placed', {
  schema: (d): d is OrderPlaced => isObject(d) && typeof d.orderId === 'string' && typeof d.email === 'string',
})
