// The capacity scenario's three memory measurements alone, for iterating on memory without its CPU steps:
// `node --import tsx src/capacity/memory-profile.ts [systems] [repetitions] [quiet seconds] [node flags…]`, systems
// comma-separated and taken in turn in each repetition; PHASES=docs,idle,large (the default) picks phases.
// Each phase runs on a fresh server pinned like in the scenario and loaded exactly as there (`runMemory`);
// `quiet seconds` keeps the loaded server idle that long before its RSS is read. Not the report's numbers.
// System `ws-floor` measures idle connections on servers/ws-floor-server.mjs: Node's http server and ws holding
// the sockets and nothing else, the floor under any relay built on them.
import { join } from 'node:path'
import { FULL } from '../config.js'
import { BENCH_DIR } from '../paths.js'
import { largeUpdate } from '../large-update.js'
import { startLoadProcess } from './load-process.js'
import { runMemory, type CapacitySystem, type MemoryOptions, type MemoryPhase } from './measure.js'

const [systems = 'driftless', repetitions = '1', quietSeconds = '0', ...nodeArgs] = process.argv.slice(2)
const PHASE_NAMES = { docs: 'many documents', idle: 'idle connections', large: 'large document' } as const satisfies Record<string, MemoryPhase>
const phases = (process.env.PHASES ?? 'docs,idle,large').split(',').map((name) => {
  if (!(name in PHASE_NAMES)) throw new Error(`unknown phase in PHASES: ${name}; known: ${Object.keys(PHASE_NAMES).join(', ')}`)
  return PHASE_NAMES[name as keyof typeof PHASE_NAMES]
})
const floor: MemoryOptions = { script: join(BENCH_DIR, 'servers', 'ws-floor-server.mjs'), phases: ['idle connections'] }
largeUpdate(FULL.largeDoc.inserts, (message) => process.stderr.write(`${message}\n`))
const load = startLoadProcess(1)
try {
  for (let rep = 1; rep <= Number(repetitions); rep++) for (const system of systems.split(',')) {
    const memory = await runMemory(system === 'ws-floor' ? 'driftless' : system as CapacitySystem, FULL.capacity, FULL.largeDoc.inserts,
      load, { server: 0, load: 1 }, { nodeArgs, quietMs: Number(quietSeconds) * 1000, phases, ...(system === 'ws-floor' ? floor : {}) })
    const parts = [
      memory.perDocKiB !== undefined && `${memory.perDocKiB.toFixed(2)} KiB/doc (${memory.sockets} sockets)`,
      memory.perConnectionKiB !== undefined
        && `${memory.perConnectionKiB.toFixed(2)} KiB/connection (${memory.perConnectionFromIdleKiB?.toFixed(2)} from a fresh server)`,
      memory.largeRatio !== undefined && `large ×${memory.largeRatio.toFixed(2)}`,
      memory.failures.length > 0 && `failed: ${memory.failures.join('; ')}`,
    ]
    process.stdout.write(`${system} #${rep}: ${parts.filter(Boolean).join(', ')}\n`)
  }
} finally {
  await load.stop()
}
