// The capacity scenario's three memory measurements alone, for iterating on memory without its CPU steps:
// `node --import tsx src/capacity/memory-profile.ts [system] [repetitions] [quiet seconds] [node flags…]`.
// Each phase runs on a fresh server pinned like in the scenario and loaded exactly as there (`runMemory`);
// `quiet seconds` keeps the loaded server idle that long before its RSS is read. Not the report's numbers.
import { FULL } from '../config.js'
import { largeUpdate } from '../large-update.js'
import { startLoadProcess } from './load-process.js'
import { runMemory, type CapacitySystem } from './measure.js'

const [system = 'driftless', repetitions = '1', quietSeconds = '0', ...nodeArgs] = process.argv.slice(2)
largeUpdate(FULL.largeDoc.inserts, (message) => process.stderr.write(`${message}\n`))
const load = startLoadProcess(1)
try {
  for (let rep = 1; rep <= Number(repetitions); rep++) {
    const memory = await runMemory(system as CapacitySystem, FULL.capacity, FULL.largeDoc.inserts, load, { server: 0, load: 1 },
      { nodeArgs, quietMs: Number(quietSeconds) * 1000 })
    process.stdout.write(`${system} #${rep}: ${memory.perDocKiB?.toFixed(2)} KiB/doc (${memory.sockets} sockets), `
      + `${memory.perConnectionKiB?.toFixed(2)} KiB/connection, large ×${memory.largeRatio?.toFixed(2)}`
      + `${memory.failures.length ? `; failed: ${memory.failures.join('; ')}` : ''}\n`)
  }
} finally {
  await load.stop()
}
