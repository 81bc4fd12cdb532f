import { Worker } from 'node:worker_threads'
import { ErrorCode } from '@driftless/protocol'
import { RelayError } from '../errors.js'

/**
 * The worker's code. Plain CommonJS run with `eval`, so the same file works from TypeScript source (tests)
 * and from `dist`. It resolves @driftless/history from this module's location without the process's custom
 * export conditions (the thread runs with no `execArgv`): plain Node needs the built package, never its
 * TypeScript source.
 */
const WORKER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads')
const { createRequire } = require('node:module')
const { pathToFileURL } = require('node:url')
const history = import(pathToFileURL(createRequire(workerData.from).resolve('@driftless/history')).href)
parentPort.on('message', async (job) => {
  try {
    const { restoreUpdate } = await history
    const update = restoreUpdate(job.current, job.version)
    parentPort.postMessage({ id: job.id, ok: true, update }, [update.buffer])
  } catch (error) {
    const invalidInput = error !== null && typeof error === 'object' && error.name === 'HistoryError'
    parentPort.postMessage({ id: job.id, ok: false, invalidInput, message: error && error.message ? error.message : String(error) })
  }
})
`

type Reply = { id: number; ok: true; update: Uint8Array } | { id: number; ok: false; invalidInput: boolean; message: string }

interface Job {
  id: number
  current: Uint8Array
  version: Uint8Array
  resolve(update: Uint8Array): void
  reject(error: RelayError): void
}

/**
 * Computes restores (`restoreUpdate`) on a worker thread, one at a time, so a restore of a large document
 * (seconds of CPU, hundreds of MiB) never stalls the relay's event loop: other documents keep being served.
 * The thread starts on the first restore; a restore that runs past `timeoutMs` ends the thread (nothing else
 * can stop a synchronous computation) and the next restore starts a fresh one.
 */
export class RestoreWorker {
  private worker: Worker | null = null
  private readonly queue: Job[] = []
  private running: { job: Job; timer: NodeJS.Timeout } | null = null
  private nextId = 1
  private closed = false

  constructor(private readonly timeoutMs: number) {}

  /**
   * The update that makes `current`'s content equal to `version`'s. Rejects with `invalidUpdate` on bad
   * input and `restoreFailed` on a timeout or a failing thread.
   */
  compute(current: Uint8Array, version: Uint8Array): Promise<Uint8Array> {
    if (this.closed) return Promise.reject(new RelayError(ErrorCode.restoreFailed, 'the relay is shutting down'))
    return new Promise((resolve, reject) => {
      this.queue.push({ id: this.nextId++, current, version, resolve, reject })
      this.startNext()
    })
  }

  /** Ends the thread; queued restores fail with `restoreFailed`. */
  async close(): Promise<void> {
    this.closed = true
    const failed = new RelayError(ErrorCode.restoreFailed, 'the relay is shutting down')
    for (const job of this.queue.splice(0)) job.reject(failed)
    this.fail(failed)
    await this.stopWorker()
  }

  private startNext(): void {
    if (this.running !== null) return
    const job = this.queue.shift()
    if (job === undefined) return
    const timer = setTimeout(() => {
      this.fail(new RelayError(ErrorCode.restoreFailed, `the restore took longer than ${this.timeoutMs} ms; nothing was changed`))
      void this.stopWorker()
      this.startNext()
    }, this.timeoutMs)
    this.running = { job, timer }
    // Copies, not transfers: the caller's buffers may be views into a room's or storage's memory.
    this.thread().postMessage({ id: job.id, current: job.current, version: job.version })
  }

  private thread(): Worker {
    if (this.worker !== null) return this.worker
    const worker = new Worker(WORKER_SOURCE, { eval: true, execArgv: [], workerData: { from: import.meta.url } })
    // An idle thread must not keep the process alive; a running restore's timer does.
    worker.unref()
    worker.on('message', (reply: Reply) => this.onReply(reply))
    worker.on('error', (error) => {
      this.fail(new RelayError(ErrorCode.restoreFailed, `the restore thread failed: ${error.message}`, { cause: error }))
    })
    worker.on('exit', () => {
      if (this.worker !== worker) return
      this.worker = null
      this.fail(new RelayError(ErrorCode.restoreFailed, 'the restore thread stopped'))
      this.startNext()
    })
    this.worker = worker
    return worker
  }

  private onReply(reply: Reply): void {
    const running = this.running
    if (running === null || running.job.id !== reply.id) return
    clearTimeout(running.timer)
    this.running = null
    if (reply.ok) running.job.resolve(reply.update)
    else running.job.reject(new RelayError(reply.invalidInput ? ErrorCode.invalidUpdate : ErrorCode.restoreFailed, reply.message))
    this.startNext()
  }

  /** Fails the restore in progress, if any. */
  private fail(error: RelayError): void {
    const running = this.running
    if (running === null) return
    clearTimeout(running.timer)
    this.running = null
    running.job.reject(error)
  }

  private async stopWorker(): Promise<void> {
    const worker = this.worker
    this.worker = null
    if (worker !== null) await worker.terminate()
  }
}
