import type { CapacityConfig } from '../config.js'
import { SYSTEM_LABELS, type MetricRow } from '../model.js'
import { formatNumber } from '../report/format.js'
import { median, summarize } from '../stats.js'
import { IDLE_BATCH, type CapacitySystem, type Pins } from './measure.js'
import { DELIVERED_SHARE, P99_LIMIT_MS, FINE_CPU, FINE_FROM, sustained, type StepResult } from './steps.js'

/**
 * How repeatable Driftless's target rows were: the worst min ÷ median (max ÷ median inverted where lower is
 * better) over `rows`. One repetition gives 1 by definition.
 */
export const repeatabilityRow = (scenario: string, rows: readonly MetricRow[]): MetricRow => {
  const spreads = rows.flatMap((row) => {
    const ours = row.outcomes.driftless
    if (!row.target || ours?.kind !== 'measured' || ours.summary.median === 0) return []
    const { min, max, median: mid } = ours.summary
    return [row.better === 'higher' ? min / mid : mid / max]
  })
  return {
    scenario,
    metric: 'repeatability: worst min ÷ median of the target rows above',
    unit: 'ratio',
    better: 'higher',
    outcomes: spreads.length ? { driftless: { kind: 'measured', summary: summarize([Math.min(...spreads)]) } } : {},
    target: { kind: 'atLeast', value: 0.8, text: 'every target row: min ≥ 0.8× median' },
  }
}

const cell = (runs: readonly StepResult[], total: number): string => {
  const pick = (value: (step: StepResult) => number): number => median(runs.map(value))
  const share = pick((s) => s.deliveredShare)
  const p99 = pick((s) => s.p99Ms)
  const mark = sustained({ p99Ms: p99, deliveredShare: share }) ? '' : ' ✗'
  const ms = (value: number): string => (Number.isFinite(value) ? formatNumber(value) : '∞')
  const latency = `${ms(pick((s) => s.p50Ms))}/${ms(p99)} ms`
  const parts = [
    `${formatNumber(pick((s) => s.deliveredPerSecond))}/s (${(share * 100).toFixed(1)}%)`, latency,
    `CPU ${Math.round(pick((s) => s.cpuUtilisation) * 100)}% (waited ${Math.round(pick((s) => s.waitShare) * 100)}%)`, `${formatNumber(pick((s) => s.rssMiB))} MiB`,
  ]
  return `${parts.join(' · ')}${mark}${runs.length < total ? ` (${runs.length} of ${total} runs)` : ''}`
}

/** Markdown tables, one per subscriber count: a row per offered step, a column per system (medians over runs). */
export const stepTables = (subscriberCounts: readonly number[], systems: readonly CapacitySystem[], steps: ReadonlyMap<string, StepResult[][]>): string => {
  const tables = subscriberCounts.map((subscribers) => {
    const runsOf = (system: CapacitySystem): StepResult[][] => steps.get(`${system}:${subscribers}`) ?? []
    const rates = [...new Set(systems.flatMap((s) => runsOf(s).flatMap((run) => run.map((step) => step.offered))))].sort((a, b) => a - b)
    const header = ['offered edits/s', ...systems.map((s) => SYSTEM_LABELS[s])]
    const lines = [`| ${header.join(' | ')} |`, `|${header.map(() => ' --- ').join('|')}|`]
    for (const rate of rates) {
      const cells = systems.map((system) => {
        const runs = runsOf(system)
        const at = runs.flatMap((run) => run.filter((step) => step.offered === rate))
        return at.length ? cell(at, runs.length) : '—'
      })
      lines.push(`| ${rate.toLocaleString('en-US')} | ${cells.join(' | ')} |`)
    }
    return [`**1 document × ${subscribers} subscribers.** Each cell: edits delivered/s (Σ over subscribers, and the share of what was offered), probe p50/p99, server CPU utilisation (1 core = 100%) and how much of the step its main thread waited for its core behind other work (run-queue time from /proc/<pid>/schedstat), server RSS; medians over the runs that reached the step; ✗ = not sustained.`, '', ...lines].join('\n')
  })
  return tables.join('\n\n')
}

/** The method text of the capacity scenario. */
export const capacityMethod = (
  config: CapacityConfig,
  run: { pins: Pins; common: number; sustainedByAll: boolean; loads: { repetition: number; system: CapacitySystem; load: number[] }[] },
): string => {
  const loads = run.loads.map((l) => `#${l.repetition} ${SYSTEM_LABELS[l.system]} ${l.load.map((v) => v.toFixed(2)).join('/')}`).join('; ')
  return [
    `**Placement.** Each server runs in its own process pinned with \`taskset -c ${run.pins.server}\`; two load-generator processes (Node, no Yjs on the receiving side) are pinned with \`taskset -c ${run.pins.load}\`: one holds the writers and the counting subscribers, the other only the probes and the subscribers that time them, so a probe's timing never waits behind the first one reading hundreds of sockets (a mostly idle process gets the core as soon as it wakes); the harness itself only sends them commands, and for this section every thread of it is pinned to the load generators' core too (\`taskset -a -p\`): it ran the scenarios before, and its garbage collection or its reads of /proc must not take the server's core. Several edits due to one writer in the same millisecond leave in one write. The machine is shared, so load averages (1/5/15 min) were recorded as each system's repetition began: ${loads}.`,
    `**Connections.** Raw websockets on bare TCP sockets (hand-made upgrade, frames split without copies, pings answered), speaking each system's own protocol: Driftless's (hello, subscribe; every write asks for the durable ack, as a replica's do), the y-websocket protocol (one socket per document; Driftless's y-websocket endpoint is driven the same way) and Hocuspocus's (multiplexed: document name in every message, auth then sync step 1). Receivers never apply updates: they split frames, find the Yjs update in each broadcast and walk its struct headers to count the edits of other clients (Driftless merges the updates of one event-loop turn into one message, so edits, not messages, are counted). Every subscriber of a system gets the same bytes, so the bulk load generator walks each distinct update once and compares the bytes of its copies (with 500 subscribers, walking every copy had it fall behind its schedule before the relay ran out of CPU).`,
    `**Load.** 1 document × ${config.subscribers.join(' and ')} subscribers; ${config.writers} of the subscribers write (all but the ${config.observers} observers where there are fewer), each with its own Y.Doc whose one-character appends were encoded and framed before the timed part; ${config.probes} more connections are probes (a real Y.Doc each, setting one key every 100 ms, staggered), and ${config.observers} of the subscribers time when each probe write arrives. The offered total rate starts at ${config.firstRate} edits/s and doubles up to ${config.lastRate.toLocaleString('en-US')}, ${config.stepMs / 1000} s per step (with ${config.subscribers[0]} subscribers the doubling steps from ${config.heldFrom.toLocaleString('en-US')} to ${FINE_FROM.toLocaleString('en-US')} edits/s last ${config.heldStepMs / 1000} s: the common step of CPU per delivered edit is among them, and in one second fixed costs such as V8 compiling on its own threads read Driftless's cost 1.5–2× high), and once a step from ${FINE_FROM.toLocaleString('en-US')} edits/s up kept the server's core ${FINE_CPU * 100}% busy, or the last two doubling steps' CPU, extrapolated linearly, would pass a full core at the next, it goes on by quarter octaves (D × 1.25, 1.5, 1.75, 2D …) from the highest step sustained, so a doubling step that only missed the p99 is followed by the points below it that doubling skipped: doubling alone knows capacity only to within 2×, and one step's noise made two runs of one system differ 2×; the schedule is steady: about every millisecond the generator sends, round-robin over the writers, whatever the offered rate says is due by then. A step is **sustained** when the probe p99 (over every probe write and observer; a write never seen counts as infinitely late) is ≤ ${P99_LIMIT_MS} ms and the subscribers received ≥ ${DELIVERED_SHARE * 100}% of the edits of others written in the step by its end plus 100 ms. Stepping goes on while every step delivered in full with p99 ≤ 1 s; **capacity** is the highest step sustained, as the issue defines it (a lower step that only missed the p99, one stall of the server's core on this shared machine, does not end it; one that fell behind in delivery ends the stepping). The **CPU-bound capacity estimate** (no target) is offered ÷ server CPU utilisation on the highest step delivered in full: what one dedicated core would carry at that cost, a figure the machine's load distorts much less than latency does. Server CPU (user+system of every thread, in nanoseconds from /proc/<pid>/task/*/schedstat; /proc/<pid>/stat's 10 ms ticks were ±7% of a one-second step) and RSS are read at the start of each step and 100 ms after its end; CPU per delivered edit is at ${run.common.toLocaleString('en-US')} edits/s, ${run.sustainedByAll ? 'the highest step every run of every system sustained' : 'the first step (some run sustained no step)'} with ${config.subscribers[0]} subscribers.`,
    `**Memory.** A fresh server for each phase, RSS read after a full GC (every server runs with --expose-gc and a SIGUSR2 handler that calls gc()), and in these phases every server runs with V8's young generation fixed at 1 MiB semi-spaces (\`--min-semi-space-size=1 --max-semi-space-size=1\`, the same for all three; the CPU steps use V8's defaults): V8 otherwise grows it from 1 to 16 MiB semi-spaces as objects survive and its memory reducer shrinks it when the heap idles, each change moving RSS by megabytes, more than 500 idle connections cost. Per open document: ${config.manyDocs.connections} clients each open the same ${config.manyDocs.docs.toLocaleString('en-US')} small documents (the first client writes 16 characters into each), 10 at a time per multiplexed socket, 50 sockets at a time otherwise, in two halves (the second half on new sockets of its own), RSS read after each. The target row is what the second half added ÷ its documents: what one more open document costs. The row "from a fresh server" is (RSS after all − RSS idle) ÷ documents, which also holds what a fresh process pays once whatever the count (code compiled for the new paths, heap pages committed as the heap grows). The middle reading waits until the server is ${config.memorySettledAfterMs / 1000} s old: V8's memory reducer first runs about 8 s after an isolate starts, and in Driftless it then gives back 1.1–1.9 MiB of the SQLite writer thread's heap, which the harness's gc() does not reach; a half that straddled it read a negative cost. Driftless and Hocuspocus multiplex every document of a client on its one socket; the y-websocket protocol names the document in the URL, so y-websocket (and Driftless's y-websocket endpoint) needs a socket per document and client: ${(config.manyDocs.connections * config.manyDocs.docs).toLocaleString('en-US')} sockets, whose cost is in its figure. Per idle connection: ${config.idleConnections.toLocaleString('en-US')} connections that open no document (Driftless: hello answered; Hocuspocus: socket open; y-websocket's URL always names a document, so they all share one), in two halves read the same way, opened ${IDLE_BATCH} at a time with a full GC after each batch: opened 500 at once, the garbage of one burst of handshakes left heap pages that the next burst filled without growing RSS, and Driftless read 1.3–3.1 KiB per connection while its old space grew 3.5 KB per connection. Large document: the scenario 3 update sent by one client, then a fresh client receives all of it; (RSS − idle RSS) ÷ update size.`,
    `**Persistence on for all.** y-websocket's server with its LevelDB persistence (YPERSISTENCE, as its README deploys it), Hocuspocus with @hocuspocus/extension-sqlite (its default 2 s debounced store), Driftless with its SQLite storage (every update committed before the ack) and its per-connection message limit raised from 1,000 to 5,000 a second (\`--max-messages-per-second\`), because a writer here stands for many typists: with 50 subscribers, 48 writers carry the 204,800 step at 4,267 edits/s each; the peers have no such limit. Without persistence a peer would skip work a deployment does; with it, all three pay for storage, each in its own way.`,
  ].join('\n\n')
}
