import { execFileSync } from 'node:child_process'

/**
 * Pins every thread of this process to `cpu` (`taskset -a -p`) and returns what restores the CPUs it had. The
 * harness is what ran the scenarios before: a garbage collection of its heap, or its reads of /proc, must not
 * land on the core of the server being measured.
 */
export const pinThisProcess = (cpu: number): (() => void) => {
  const taskset = (...args: string[]): string => execFileSync('taskset', args, { encoding: 'utf8' })
  const pid = String(process.pid)
  const previous = taskset('-p', '-c', pid).split(':').pop()!.trim()
  taskset('-a', '-p', '-c', String(cpu), pid)
  return () => void taskset('-a', '-p', '-c', previous, pid)
}
