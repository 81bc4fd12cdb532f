import { spawn, type ChildProcess } from 'node:child_process'
import { join } from 'node:path'
import { BENCH_DIR } from '../paths.js'
import { withTimeout } from '../wait.js'
import type { LoadCommand, LoadReport } from './commands.js'

const COMMAND_TIMEOUT_MS = 180_000

/** The load-generator process, pinned to `cpu` with taskset, driven one command at a time. */
export interface LoadProcess {
  readonly cpu: number
  /**
   * Sends `command` and resolves with its final report; `onProgress` sees the `began`/`sampled` marks
   * of a step as they arrive, so the caller can read the server's CPU and RSS at those moments.
   */
  request(command: LoadCommand, onProgress?: (report: LoadReport) => void): Promise<LoadReport>
  stop(): Promise<void>
}

export const startLoadProcess = (cpu: number): LoadProcess => {
  const child: ChildProcess = spawn('taskset', ['-c', String(cpu), process.execPath, '--import', 'tsx', join(BENCH_DIR, 'src', 'capacity', 'loadgen.ts')], {
    cwd: BENCH_DIR, stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  })
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()))
  let busy = false
  return {
    cpu,
    async request(command, onProgress) {
      if (busy) throw new Error('the load generator runs one command at a time')
      busy = true
      try {
        return await withTimeout(`load generator ${command.type}`, new Promise<LoadReport>((resolve, reject) => {
          const onMessage = (report: LoadReport): void => {
            if (report.type === 'began' || report.type === 'sampled') return onProgress?.(report)
            child.off('message', onMessage)
            child.off('exit', onExit)
            if (report.type === 'failed') reject(new Error(`load generator: ${report.message}`))
            else resolve(report)
          }
          const onExit = (code: number | null): void => reject(new Error(`load generator exited (${code})`))
          child.on('message', onMessage)
          child.once('exit', onExit)
          child.send(command)
        }), COMMAND_TIMEOUT_MS)
      } finally {
        busy = false
      }
    },
    async stop() {
      if (child.exitCode !== null) return
      child.disconnect()
      const timer = setTimeout(() => child.kill('SIGKILL'), 3_000)
      await exited
      clearTimeout(timer)
    },
  }
}
