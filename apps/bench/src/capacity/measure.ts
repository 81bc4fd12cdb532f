import { statSync } from 'node:fs'
import { loadavg } from 'node:os'
import type { CapacityConfig } from '../config.js'
import { largeUpdatePath } from '../large-update.js'
import { startServer, type ServerKind, type ServerProcess } from '../proc/server-process.js'
import { tempDir } from '../scenario.js'
import { percentile } from '../stats.js'
import { sleep } from '../wait.js'
import type { LoadReport } from './commands.js'
import type { LoadProcess } from './load-process.js'
import type { WireProtocol } from './protocols.js'
import { combineCounts, isHeld, nextRate, type StepResult } from './steps.js'

/** The systems of the capacity scenario: Driftless twice, once per endpoint. */
export const CAPACITY_SYSTEMS = ['driftless', 'driftless-ywebsocket', 'y-websocket', 'hocuspocus'] as const
export type CapacitySystem = (typeof CAPACITY_SYSTEMS)[number]

const SERVER: Record<CapacitySystem, ServerKind> = {
  driftless: 'driftless', 'driftless-ywebsocket': 'driftless', 'y-websocket': 'y-websocket', hocuspocus: 'hocuspocus',
}
const PROTOCOL: Record<CapacitySystem, WireProtocol> = {
  driftless: 'driftless', 'driftless-ywebsocket': 'y-websocket', 'y-websocket': 'y-websocket', hocuspocus: 'hocuspocus',
}

const GRACE_MS = 100
const SETTLE_MS = 1_500
const PROBE_INTERVAL_MS = 100
/**
 * Driftless's per-connection message limit (default 1,000/s) is there to stop a runaway client; here each
 * writer stands for many typists (with 50 subscribers, 48 writers carry 204,800 edits/s: 4,267/s each). The
 * peers have no such limit.
 */
const RELAY_ARGS = ['--max-messages-per-second', '5000']
/**
 * Node flags of every server in the memory phases. V8 sizes its young generation by how much survives
 * (semi-spaces from 1 up to 16 MiB) and its memory reducer shrinks it again once the heap idles: each change
 * moves RSS by megabytes, more than 500 idle connections cost, and a reading that straddled one read Driftless's
 * idle connections at 1.3 or 11 KiB. With the semi-spaces fixed at 1 MiB, RSS follows what the units keep.
 * The same for all three systems; the CPU steps run with V8's defaults.
 */
const MEMORY_NODE_ARGS = ['--min-semi-space-size=1', '--max-semi-space-size=1']
/**
 * Idle connections are opened this many at a time, each batch followed by a full GC. Opened 500 at once, what
 * the second 500 added to Driftless's RSS read 1.3–3.1 KiB per connection while its V8 old space grew 3.5 KB
 * per connection: the first burst's garbage had left pages that the second filled without growing RSS, by an
 * amount that changed from run to run.
 */
export const IDLE_BATCH = 100

/** Lets a fresh server finish starting (lazy imports, first GC) before its idle RSS is read. */
const WARM_MS = 1_000

/** Where the server and the load generators run. */
export interface Pins { server: number; load: number }

/**
 * The load generators, both pinned to the load core: `bulk` holds the writers and the counting subscribers;
 * `probes` holds the probe clients and the subscribers that time them. Apart, the probes' timing is not held
 * up behind the bulk process reading hundreds of sockets: a mostly idle process gets the core as soon as it
 * wakes, so a probe's latency is the server's, not the harness's.
 */
export interface LoadGenerators { bulk: LoadProcess; probes: LoadProcess }

/** Runs `body` against a fresh, pinned server with persistence on, then stops it and deletes its data. */
const withServer = async <T>(
  system: CapacitySystem, pins: Pins, body: (server: ServerProcess) => Promise<T>,
  { nodeArgs, script }: { nodeArgs?: string[] | undefined; script?: string | undefined } = {},
): Promise<T> => {
  const data = tempDir('capacity')
  const server = await startServer(SERVER[system], {
    dataDir: data.path, cpu: pins.server, relayArgs: RELAY_ARGS, ...(nodeArgs ? { nodeArgs } : {}), ...(script ? { script: { path: script, args: [] } } : {}),
  })
  try {
    return await body(server)
  } finally {
    await server.stop()
    data.remove()
  }
}

/**
 * For each subscriber count, one document with that many raw subscribers on one fresh server, offered load
 * stepped up (`nextRate`) until a step is not sustained. Results by subscriber count.
 */
export const runSteps = async (
  system: CapacitySystem, subscriberCounts: readonly number[], config: CapacityConfig, load: LoadGenerators, pins: Pins,
  log: (message: string) => void, nodeArgs?: string[],
): Promise<Map<number, StepResult[]>> => withServer(system, pins, async (server) => {
  const runs = new Map<number, StepResult[]>()
  for (const subscribers of subscriberCounts) runs.set(subscribers, await stepUp(server, system, subscribers, config, load, log))
  return runs
}, { nodeArgs })

/**
 * Edits prepared per run, in seconds of the last step: enough for doubling to it (2) or for doubling to an
 * eighth of it and going on by quarter octaves (about 3.3); stepping stops, saying so, should they run out.
 */
const EDIT_BUDGET_STEPS = 4

const stepUp = async (
  server: ServerProcess, system: CapacitySystem, subscribers: number, config: CapacityConfig, load: LoadGenerators,
  log: (message: string) => void,
): Promise<StepResult[]> => {
  const totalEdits = (EDIT_BUDGET_STEPS * config.lastRate * config.stepMs) / 1000
  const writers = Math.min(config.writers, subscribers - config.observers)
  const common = { type: 'setup', protocol: PROTOCOL[system], url: server.url, docId: `capacity-${subscribers}`, probeIntervalMs: PROBE_INTERVAL_MS } as const
  await load.bulk.request({
    ...common, subscribers: subscribers - config.observers, writers, observers: 0, probes: 0,
    editsPerWriter: Math.ceil(totalEdits / writers) + 10,
  })
  await load.probes.request({ ...common, subscribers: config.observers, writers: 0, observers: config.observers, probes: config.probes, editsPerWriter: 0 })
  const steps: StepResult[] = []
  const offer = async (rate: number, stepMs: number): Promise<void> => {
    const mark = (): { cpu: number; wait: number; at: number } => ({ cpu: server.cpuSeconds(), wait: server.waitSeconds(), at: performance.now() })
    let began = mark()
    let sampled = { ...began, rss: 0 }
    const command = { type: 'step', rate, durationMs: stepMs, graceMs: GRACE_MS, settleMs: SETTLE_MS } as const
    const reports = await bothSettled(
      load.bulk.request(command, (progress) => {
        if (progress.type === 'began') began = mark()
        if (progress.type === 'sampled') sampled = { ...mark(), rss: server.memory().rss }
      }),
      load.probes.request(command),
    )
    const counts = combineCounts(reports.map((report) => {
      if (report.type !== 'step-done') throw new Error(`unexpected ${report.type} after a step`)
      return report.counts
    }))
    // A probe write an observer never saw counts as infinitely late.
    const latencies = [...counts.latencies, ...Array<number>(counts.unseen).fill(Infinity)]
    const cpuSeconds = sampled.cpu - began.cpu
    const wallSeconds = (sampled.at - began.at) / 1000
    const step: StepResult = {
      offered: rate,
      deliveredPerSecond: counts.delivered / (stepMs / 1000),
      deliveredShare: counts.expected > 0 ? counts.delivered / counts.expected : 0,
      p50Ms: latencies.length ? percentile(latencies, 50) : Infinity,
      p99Ms: latencies.length ? percentile(latencies, 99) : Infinity,
      cpuUtilisation: cpuSeconds / wallSeconds,
      cpuSeconds,
      waitShare: (sampled.wait - began.wait) / wallSeconds,
      delivered: counts.delivered,
      rssMiB: sampled.rss / 2 ** 20,
    }
    steps.push(step)
    log(`    ${rate}/s × ${subscribers}: delivered ${(step.deliveredShare * 100).toFixed(1)}% (worst subscriber ${(counts.worstShare * 100).toFixed(1)}%), p50 ${step.p50Ms.toFixed(1)} ms, p99 ${step.p99Ms.toFixed(1)} ms, CPU ${(step.cpuUtilisation * 100).toFixed(0)}%, waited for CPU ${(step.waitShare * 100).toFixed(0)}%, schedule lag ${counts.scheduleLagMs.toFixed(0)} ms, load ${loadavg()[0]!.toFixed(2)}`)
  }
  try {
    let offered = 0
    for (let rate = nextRate(steps, config.firstRate, config.lastRate); rate !== undefined; rate = nextRate(steps, config.firstRate, config.lastRate)) {
      const stepMs = subscribers === config.subscribers[0] && isHeld(rate, config) ? config.heldStepMs : config.stepMs
      offered += (rate * stepMs) / 1000
      if (offered > totalEdits) {
        log(`    ${rate}/s × ${subscribers}: not offered, the prepared edits would run out`)
        break
      }
      await offer(rate, stepMs)
    }
  } finally {
    await Promise.all([load.bulk.request({ type: 'close' }), load.probes.request({ type: 'close' })])
  }
  return steps
}

/**
 * Both results once both settled, else the first failure: a generator still busy with the step would refuse
 * the closing command and hide why the step failed.
 */
const bothSettled = async <A, B>(a: Promise<A>, b: Promise<B>): Promise<[A, B]> => {
  const [first, second] = await Promise.allSettled([a, b])
  if (first.status === 'rejected') throw first.reason
  if (second.status === 'rejected') throw second.reason
  return [first.value, second.value]
}

/** Server RSS after a full GC, once a fresh server settled. */
const settledRss = async (server: ServerProcess): Promise<number> => {
  await server.collectGarbage()
  return server.memory().rss
}

/** Memory per open document, per idle connection, and per byte of a large document, for one system. */
export interface MemoryResult {
  /** What one more open document costs: the RSS the second half of the documents added, per document. */
  perDocKiB?: number
  /** RSS after all the documents minus the fresh server's, per document: one-time costs included. */
  perDocFromIdleKiB?: number
  /** What one more idle connection costs, measured like `perDocKiB`. */
  perConnectionKiB?: number
  perConnectionFromIdleKiB?: number
  largeRatio?: number
  /** Sockets the many-documents phase used. */
  sockets?: number
  /** Phases that failed, and why: the others still count. */
  failures: string[]
}

/** How `runMemory` runs its servers; the scenario uses the defaults (for `memory-profile.ts`). */
export interface MemoryOptions {
  /** Extra node flags for the server, e.g. `--max-semi-space-size=2`. @default [] */
  nodeArgs?: string[]
  /** How long the loaded server stays idle before its RSS is read (V8's memory reducer acts on idle heaps). @default 0 */
  quietMs?: number
  /** Driftless only: a script that stands in for the relay's CLI (see `startServer`). @default the CLI */
  script?: string
  /** The phases to run. @default all three */
  phases?: readonly MemoryPhase[]
}

export type MemoryPhase = 'many documents' | 'idle connections' | 'large document'

/** Runs each memory phase on its own fresh server; a phase that fails is reported and the others still run. */
export const runMemory = async (
  system: CapacitySystem, config: CapacityConfig, largeInserts: number, load: LoadProcess, pins: Pins,
  { nodeArgs, quietMs = 0, script, phases = ['many documents', 'idle connections', 'large document'] }: MemoryOptions = {},
): Promise<MemoryResult> => {
  const protocol = PROTOCOL[system]
  const { connections, docs } = config.manyDocs
  const result: MemoryResult = { failures: [] }
  const phase = async (name: MemoryPhase, measure: (server: ServerProcess, idle: number, startedAt: number) => Promise<void>): Promise<void> => {
    if (!phases.includes(name)) return
    try {
      await withServer(system, pins, async (server) => {
        const startedAt = performance.now()
        await sleep(WARM_MS)
        await measure(server, await settledRss(server), startedAt)
      }, { nodeArgs: [...MEMORY_NODE_ARGS, ...(nodeArgs ?? [])], script })
    } catch (error) {
      result.failures.push(`${name}: ${error instanceof Error ? error.message : String(error)}`)
    } finally {
      await load.request({ type: 'close' }).catch(() => undefined)
    }
  }
  const loaded = async (server: ServerProcess): Promise<number> => {
    if (quietMs > 0) await sleep(quietMs)
    return settledRss(server)
  }
  // Units are added in two halves, RSS read after each: the second half's growth is what one more unit costs.
  // The first half also pays what a fresh process pays once, whatever the count (code compiled for the new
  // paths, heap pages V8 commits as the heap grows): with a fifth first, instead of a half, the second part still
  // paid it (idle connections read 14–15 KiB, not 2).
  const inHalves = async (name: MemoryPhase, units: number, add: (server: ServerProcess, first: number, count: number) => Promise<number>) => {
    let read: { marginalKiB: number; fromIdleKiB: number; sockets: number } | undefined
    await phase(name, async (server, idle, startedAt) => {
      const half = Math.floor(units / 2)
      let sockets = await add(server, 0, half)
      await sleep(startedAt + config.memorySettledAfterMs - performance.now())
      const middle = await loaded(server)
      sockets += await add(server, half, units - half)
      const after = await loaded(server)
      read = { marginalKiB: (after - middle) / (units - half) / 1024, fromIdleKiB: (after - idle) / units / 1024, sockets }
    })
    return read
  }
  const socketsOf = (report: LoadReport): number => (report.type === 'done' ? report.sockets : 0)
  const perDoc = await inHalves('many documents', docs, async (server, firstDoc, count) =>
    socketsOf(await load.request({ type: 'many-docs', protocol, url: server.url, connections, docs: count, firstDoc })))
  if (perDoc) {
    result.perDocKiB = perDoc.marginalKiB
    result.perDocFromIdleKiB = perDoc.fromIdleKiB
    result.sockets = perDoc.sockets
  }
  const perConnection = await inHalves('idle connections', config.idleConnections, async (server, _first, count) => {
    let sockets = 0
    for (let opened = 0; opened < count; opened += IDLE_BATCH) {
      sockets += socketsOf(await load.request({ type: 'idle', protocol, url: server.url, connections: Math.min(IDLE_BATCH, count - opened) }))
      await server.collectGarbage()
    }
    return sockets
  })
  if (perConnection) {
    result.perConnectionKiB = perConnection.marginalKiB
    result.perConnectionFromIdleKiB = perConnection.fromIdleKiB
  }
  await phase('large document', async (server, idle) => {
    const path = largeUpdatePath(largeInserts)
    await load.request({ type: 'large', protocol, url: server.url, docId: 'large', updatePath: path })
    result.largeRatio = ((await loaded(server)) - idle) / statSync(path).size
  })
  return result
}
