import { execFileSync } from 'node:child_process'
import { readFileSync } from 'node:fs'

/** Memory of a process as the kernel reports it, in bytes. */
export interface MemorySample {
  /** Resident set size now (VmRSS). */
  rss: number
  /** Peak resident set size since the process started (VmHWM). */
  peakRss: number
}

const statusField = (status: string, field: string): number => {
  const match = new RegExp(`^${field}:\\s+(\\d+) kB$`, 'm').exec(status)
  if (!match?.[1]) throw new Error(`no ${field} in /proc status`)
  return Number(match[1]) * 1024
}

/** Reads VmRSS and VmHWM of `pid` from /proc/<pid>/status. */
export const readMemory = (pid: number): MemorySample => {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8')
  return { rss: statusField(status, 'VmRSS'), peakRss: statusField(status, 'VmHWM') }
}

let ticksPerSecond: number | undefined

/** CPU seconds (user + system) used so far by `pid`, from /proc/<pid>/stat. */
export const readCpuSeconds = (pid: number): number => {
  ticksPerSecond ??= Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8')
  // The command name (field 2) may hold spaces; fields after its closing parenthesis are fixed.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ')
  const utime = Number(fields[11])
  const stime = Number(fields[12])
  return (utime + stime) / ticksPerSecond
}

/**
 * Seconds the main thread of `pid` spent runnable but waiting for a CPU (from /proc/<pid>/schedstat): on a
 * shared machine, how much of a run the server was kept off its core by other work.
 */
export const readRunQueueWaitSeconds = (pid: number): number => {
  const fields = readFileSync(`/proc/${pid}/schedstat`, 'utf8').trim().split(' ')
  return Number(fields[1]) / 1e9
}
