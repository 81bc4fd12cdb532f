import { readdirSync, readFileSync } from 'node:fs'

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

/**
 * CPU seconds (user + system) used so far by the live threads of `pid`, summed from each one's
 * /proc/<pid>/task/<tid>/schedstat: nanoseconds, where /proc/<pid>/stat counts 10 ms ticks, too coarse for a
 * one-second step (a server at 15% of a core used 15 ± 1 ticks in it). A thread that already exited is not
 * counted; the servers measured keep theirs (main, libuv pool, storage workers) for their whole life.
 */
export const readCpuSeconds = (pid: number): number => {
  let nanoseconds = 0
  for (const tid of readdirSync(`/proc/${pid}/task`)) {
    try {
      nanoseconds += Number(readFileSync(`/proc/${pid}/task/${tid}/schedstat`, 'utf8').split(' ')[0])
    } catch {
      // The thread exited between the listing and the read.
    }
  }
  return nanoseconds / 1e9
}

/**
 * Seconds the main thread of `pid` spent runnable but waiting for a CPU (from /proc/<pid>/schedstat): on a
 * shared machine, how much of a run the server was kept off its core by other work.
 */
export const readRunQueueWaitSeconds = (pid: number): number => {
  const fields = readFileSync(`/proc/${pid}/schedstat`, 'utf8').trim().split(' ')
  return Number(fields[1]) / 1e9
}
