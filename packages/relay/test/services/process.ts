import { spawn, type ChildProcess, type SpawnOptions } from 'node:child_process'

/** Thrown when a server a test needs is not installed or does not start. */
export class TestServiceError extends Error {
  readonly code: 'missing' | 'startFailed'
  constructor(code: 'missing' | 'startFailed', message: string) {
    super(message)
    this.name = 'TestServiceError'
    this.code = code
  }
}

const live = new Set<ChildProcess>()
let exitHookInstalled = false

/** Spawns a server process that is SIGKILLed if the test process exits without stopping it. */
export function spawnService(command: string, args: readonly string[], options: SpawnOptions): ChildProcess {
  if (!exitHookInstalled) {
    exitHookInstalled = true
    process.once('exit', () => {
      for (const child of live) child.kill('SIGKILL')
    })
  }
  const child = spawn(command, args, { ...options, stdio: ['ignore', 'pipe', 'pipe'] })
  live.add(child)
  child.once('exit', () => live.delete(child))
  // Servers write logs; an unread pipe would eventually block them.
  child.stdout?.resume()
  return child
}

/** Resolves when `child` has exited, SIGKILLing it if it is still running after `timeoutMs`. */
export async function waitForExit(child: ChildProcess, timeoutMs: number): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return
  await new Promise<void>((resolve) => {
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs)
    child.once('exit', () => {
      clearTimeout(timer)
      resolve()
    })
  })
}

/** Keeps the last `maxChars` characters a child wrote to stderr, for error messages. */
export function captureTail(child: ChildProcess, maxChars = 4000): () => string {
  let tail = ''
  child.stderr?.setEncoding('utf8')
  child.stderr?.on('data', (chunk: string) => {
    tail = (tail + chunk).slice(-maxChars)
  })
  return () => tail
}
