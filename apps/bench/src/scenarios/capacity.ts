import { loadavg } from 'node:os'
import { largeUpdate } from '../large-update.js'
import { SYSTEM_LABELS, type SystemName } from '../model.js'
import type { Scenario, SystemSamples } from '../scenario.js'
import { repeatAlternating, rowFrom } from '../scenario.js'
import { startLoadProcess } from '../capacity/load-process.js'
import { pinThisProcess } from '../proc/affinity.js'
import { CAPACITY_SYSTEMS, runMemory, runSteps, type CapacitySystem, type Pins } from '../capacity/measure.js'
import { capacityMethod, repeatabilityRow, stepTables } from '../capacity/report.js'
import { capacityOf, commonStep, cpuBoundCapacity, cpuPerDeliveredEdit, type StepResult } from '../capacity/steps.js'

const SCENARIO = '10. capacity'
const PINS: Pins = { server: 0, load: 1 }

/**
 * How many active editors and open documents one server process holds: the server pinned to one core, raw
 * load generators pinned to the other, offered load stepped up until probes or delivery fall behind.
 */
export const capacity: Scenario = {
  id: 'capacity',
  title: `${SCENARIO} (server on core ${PINS.server}, load generators on core ${PINS.load})`,
  standalone: true,
  repetitions: (config) => config.capacity.repetitions,
  async run(context) {
    const config = context.config.capacity
    const systems = CAPACITY_SYSTEMS.filter((s) => !s.startsWith('driftless') || context.driftlessUnavailable === undefined)
    const unavailable: Partial<Record<SystemName, string>> = context.driftlessUnavailable
      ? { driftless: context.driftlessUnavailable, 'driftless-ywebsocket': context.driftlessUnavailable } : {}
    // Builds (and caches) the large document before anything is timed.
    largeUpdate(context.config.largeDoc.inserts, context.log)
    const steps = new Map<string, StepResult[][]>()
    const loads: { repetition: number; system: CapacitySystem; load: number[] }[] = []
    const failures: string[] = []
    const load = { bulk: startLoadProcess(PINS.load), probes: startLoadProcess(PINS.load) }
    const unpin = pinThisProcess(PINS.load)
    let results: Map<CapacitySystem, SystemSamples>
    try {
      const repeated = { ...context, config: { ...context.config, repetitions: config.repetitions } }
      results = await repeatAlternating(repeated, systems, async (system, rep) => {
        loads.push({ repetition: rep + 1, system, load: loadavg() })
        const values: Record<string, number> = {}
        const runs = await runSteps(system, config.subscribers, config, load, PINS, context.log)
        for (const [subscribers, run] of runs) {
          const key = `${system}:${subscribers}`
          steps.set(key, [...(steps.get(key) ?? []), run])
          values[`capacity${subscribers}`] = capacityOf(run)
          const estimate = cpuBoundCapacity(run)
          if (estimate !== undefined) values[`cpuBound${subscribers}`] = estimate
        }
        const memory = await runMemory(system, config, context.config.largeDoc.inserts, load.bulk, PINS)
        context.log(`    memory: ${memory.perDocKiB?.toFixed(1)} KiB/doc (${memory.sockets} sockets), ${memory.perConnectionKiB?.toFixed(1)} KiB/connection, large ×${memory.largeRatio?.toFixed(1)}`)
        for (const failure of memory.failures) {
          context.log(`    ${system} ${failure}`)
          failures.push(`${SYSTEM_LABELS[system]}, repetition ${rep + 1}, ${failure}`)
        }
        for (const key of ['perDocKiB', 'perDocFromIdleKiB', 'perConnectionKiB', 'perConnectionFromIdleKiB', 'largeRatio'] as const) {
          const value = memory[key]
          if (value !== undefined) values[key] = value
        }
        return values
      })
    } finally {
      unpin()
      await Promise.all([load.bulk.stop(), load.probes.stop()])
    }
    const [few, many] = config.subscribers as [number, number]
    // CPU per delivered edit at the highest step every run of every system sustained with the fewer subscribers.
    const { offered: common, sustainedByAll } = commonStep(systems.flatMap((s) => (steps.get(`${s}:${few}`) ?? []).map(capacityOf)), config.firstRate)
    for (const system of systems) {
      const result = results.get(system)
      if (!result || 'error' in result) continue
      const perEdit = (steps.get(`${system}:${few}`) ?? []).map((run) => cpuPerDeliveredEdit(run, common)).filter((v) => v !== undefined)
      if (perEdit.length) result.samples.set('cpuPerEdit', perEdit)
    }
    const samples = results as Map<SystemName, SystemSamples>
    const base = { scenario: SCENARIO } as const
    const docs = config.manyDocs.docs.toLocaleString('en-US')
    const connections = config.idleConnections.toLocaleString('en-US')
    const half = (units: number): string => (units - Math.floor(units / 2)).toLocaleString('en-US')
    const times3 = { kind: 'timesBestPeer', factor: 3, minOverMedian: 0.8, text: '≥ 3× best peer, min ≥ 0.8× median' } as const
    const rows = [
      rowFrom({ ...base, metric: `capacity, 1 doc × ${few} subscribers (offered edits/s)`, key: `capacity${few}`, unit: 'edits/s', better: 'higher', target: times3 }, samples, unavailable),
      rowFrom({ ...base, metric: `capacity, 1 doc × ${many} subscribers (offered edits/s)`, key: `capacity${many}`, unit: 'edits/s', better: 'higher', target: times3 }, samples, unavailable),
      rowFrom({ ...base, metric: `CPU-bound capacity estimate, 1 doc × ${few} subscribers (offered ÷ CPU utilisation)`, key: `cpuBound${few}`, unit: 'edits/s', better: 'higher',
        note: 'on the highest step delivered in full; what one dedicated core would carry at that CPU cost' }, samples, unavailable),
      rowFrom({ ...base, metric: `CPU-bound capacity estimate, 1 doc × ${many} subscribers (offered ÷ CPU utilisation)`, key: `cpuBound${many}`, unit: 'edits/s', better: 'higher' }, samples, unavailable),
      rowFrom({ ...base, metric: `server CPU per delivered edit at ${common.toLocaleString('en-US')} edits/s × ${few} subscribers${sustainedByAll ? '' : ' (not sustained by every run)'}`, key: 'cpuPerEdit', unit: 'µs', better: 'lower',
        target: { kind: 'timesBestPeer', factor: 3, minOverMedian: 0.8, text: '≤ ⅓ of the best peer' } }, samples, unavailable),
      rowFrom({ ...base, metric: `RSS per open document (${docs} docs × ${config.manyDocs.connections} clients; what the second ${half(config.manyDocs.docs)} added, per document)`, key: 'perDocKiB', unit: 'KiB', better: 'lower',
        target: { kind: 'atMost', value: 10, text: '≤ 10 KiB' } }, samples, unavailable),
      rowFrom({ ...base, metric: `RSS per open document from a fresh server (${docs} docs × ${config.manyDocs.connections} clients; one-time costs included)`, key: 'perDocFromIdleKiB', unit: 'KiB', better: 'lower' }, samples, unavailable),
      rowFrom({ ...base, metric: `RSS per idle connection (${connections} connections; what the second ${half(config.idleConnections)} added, per connection)`, key: 'perConnectionKiB', unit: 'KiB', better: 'lower',
        target: { kind: 'timesBestPeer', factor: 2, minOverMedian: 0.8, text: '≤ ½ of the best peer' } }, samples, unavailable),
      rowFrom({ ...base, metric: `RSS per idle connection from a fresh server (${connections} connections; one-time costs included)`, key: 'perConnectionFromIdleKiB', unit: 'KiB', better: 'lower' }, samples, unavailable),
      rowFrom({ ...base, metric: 'large document: (RSS loaded − idle) ÷ document size', key: 'largeRatio', unit: 'ratio', better: 'lower',
        target: { kind: 'atMost', value: 4, text: '≤ 4×' } }, samples, unavailable),
    ]
    return {
      rows: [...rows, repeatabilityRow(SCENARIO, rows)],
      method: capacityMethod(config, { pins: PINS, common, sustainedByAll, loads })
        + (failures.length ? `\n\n**Phases that failed** (their cells are missing): ${failures.join('; ')}.` : ''),
      details: stepTables(config.subscribers, systems, steps),
    }
  },
}
