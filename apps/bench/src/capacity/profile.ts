// Profiles a server on the capacity load: `node --import tsx src/capacity/profile.ts [system] [subscribers] [rate] [seconds]`.
// The server runs with --cpu-prof (pinned like in the scenario); prints the top self-time functions and the
// profile's path. For finding where the relay's time goes, not for the report's numbers.
import { mkdtempSync, readdirSync, readFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { FULL } from '../config.js'
import { startLoadProcess } from './load-process.js'
import { runSteps, type CapacitySystem } from './measure.js'

interface ProfileNode { id: number; callFrame: { functionName: string; url: string; lineNumber: number }; hitCount: number; children?: number[] }
interface CpuProfile { nodes: ProfileNode[]; samples: number[] }

const [system = 'driftless', subscribers = '50', rate = '1600', seconds = '6'] = process.argv.slice(2)
const dir = mkdtempSync(join(tmpdir(), 'driftless-profile-'))
const load = { bulk: startLoadProcess(1), probes: startLoadProcess(1) }
try {
  const config = { ...FULL.capacity, firstRate: Number(rate), lastRate: Number(rate), stepMs: Number(seconds) * 1000, heldStepMs: Number(seconds) * 1000 }
  const steps = await runSteps(system as CapacitySystem, [Number(subscribers)], config, load, { server: 0, load: 1 },
    (message) => process.stderr.write(`${message}\n`), ['--cpu-prof', '--cpu-prof-dir', dir])
  process.stderr.write(`${JSON.stringify([...steps.values()])}\n`)
} finally {
  await Promise.all([load.bulk.stop(), load.probes.stop()])
}
const file = readdirSync(dir).find((name) => name.endsWith('.cpuprofile'))
if (!file) throw new Error(`no profile written in ${dir}`)
const profile = JSON.parse(readFileSync(join(dir, file), 'utf8')) as CpuProfile
const total = profile.samples.length
const keyOf = (node: ProfileNode): string => {
  const { functionName, url, lineNumber } = node.callFrame
  return `${functionName || '(anonymous)'} ${url.split('/').slice(-2).join('/')}:${lineNumber + 1}`
}
// Inclusive time: a node's hits plus its descendants', counted once per function on each stack.
const byId = new Map(profile.nodes.map((node) => [node.id, node]))
const inclusive = new Map<string, number>()
const walk = (node: ProfileNode, onStack: Set<string>): number => {
  const key = keyOf(node)
  let hits = node.hitCount
  const fresh = !onStack.has(key)
  if (fresh) onStack.add(key)
  for (const child of node.children ?? []) hits += walk(byId.get(child)!, onStack)
  if (fresh) {
    onStack.delete(key)
    inclusive.set(key, (inclusive.get(key) ?? 0) + hits)
  }
  return hits
}
walk(profile.nodes[0]!, new Set())
const self = new Map<string, number>()
for (const node of profile.nodes) self.set(keyOf(node), (self.get(keyOf(node)) ?? 0) + node.hitCount)
const print = (title: string, table: Map<string, number>, filter: (key: string) => boolean): void => {
  process.stdout.write(`${title}\n`)
  for (const [key, hits] of [...table].filter(([key]) => filter(key)).sort((a, b) => b[1] - a[1]).slice(0, 30)) {
    process.stdout.write(`${((hits / total) * 100).toFixed(1).padStart(5)}%  ${key}\n`)
  }
}
print('self time', self, () => true)
print('inclusive time (relay and ws)', inclusive, (key) => /relay\/dist|dist\/|ws\/lib|lib\//.test(key))
process.stdout.write(`profile: ${join(dir, file)}\n`)
