import type { WebSocketConstructor } from '@driftless/replica'
import { WebSocket } from 'ws'
import { startWorker } from './worker.js'

/**
 * `npm start -w apps/worker` with DRIFTLESS_RELAY_URL, MAIL_URL, and optionally DRIFTLESS_DOC_ID (default
 * `orders`) and WORKER_DATA_DIR (default `./.worker`). Prints JSON lines; SIGTERM/SIGINT stop it cleanly.
 */
const required = (name: string): string => {
  const value = process.env[name]
  if (value === undefined || value === '') {
    process.stderr.write(`worker: set ${name}\n`)
    process.exit(1)
  }
  return value
}

const print = (line: Record<string, unknown>): void => {
  process.stdout.write(`${JSON.stringify(line)}\n`)
}

const worker = await startWorker({
  relay: required('DRIFTLESS_RELAY_URL'),
  mailUrl: required('MAIL_URL'),
  docId: process.env['DRIFTLESS_DOC_ID'] ?? 'orders',
  dataDir: process.env['WORKER_DATA_DIR'] ?? '.worker',
  WebSocket: WebSocket as unknown as WebSocketConstructor,
  onSent: idempotencyKey => print({ msg: 'sent', idempotencyKey }),
})
print({ msg: 'ready', deviceId: worker.log.deviceId, stream: worker.log.stream })

const stop = (): void => {
  worker.close().then(() => process.exit(0), (error: unknown) => {
    process.stderr.write(`worker: ${String(error)}\n`)
    process.exit(1)
  })
}
process.once('SIGTERM', stop)
process.once('SIGINT', stop)
