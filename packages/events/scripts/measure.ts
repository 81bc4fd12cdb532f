/**
 * Rough numbers for the design targets (not a benchmark: apps/bench owns those):
 * envelope bytes per event, fold of 100,000 events, refold after a late event 1,000 events before the tip.
 * Run: npx tsx packages/events/scripts/measure.ts
 */
import { performance } from 'node:perf_hooks'
import * as Y from 'yjs'
import { defineEvent, defineProjection, openEventLog } from '../src/index.js'
import { encodeEvent, encodeTick, streamsOf, type Entry } from '../src/internal.js'

const renamed = defineEvent('card.renamed', { schema: (d): d is { card: string; title: string } => typeof d === 'object' && d !== null })
const dataOf = (i: number) => ({ card: `c${i % 500}`, title: `title ${i}` })

async function envelopeBytes(count: number, interleaved: boolean): Promise<number> {
  const withEvents = new Y.Doc()
  const log = await openEventLog(withEvents, { heartbeatMs: false })
  const other = withEvents.getMap('board')
  for (let i = 0; i < count; i++) {
    log.emit(renamed, dataOf(i))
    if (interleaved) other.set('last', i)
  }
  const dataOnly = new Y.Doc()
  const array = dataOnly.getArray('data')
  const otherOnly = dataOnly.getMap('board')
  for (let i = 0; i < count; i++) {
    array.push([dataOf(i)])
    if (interleaved) otherOnly.set('last', i)
  }
  await log.close({ closeStream: false })
  return (Y.encodeStateAsUpdate(withEvents).length - Y.encodeStateAsUpdate(dataOnly).length) / count
}

/** A doc holding `count` events spread over `streams` streams with interleaved lamports, built without emit. */
function buildDoc(count: number, streams: number): Y.Doc {
  const doc = new Y.Doc()
  const arrays = Array.from({ length: streams }, (_, s) => {
    const array = new Y.Array<Entry>()
    doc.transact(() => streamsOf(doc).set(`dev${s}.s${s}`, array))
    return array
  })
  doc.transact(() => arrays.forEach((array) => array.push([encodeTick(0)])))
  const batches: Entry[][] = arrays.map(() => [])
  for (let i = 0; i < count; i++) batches[i % streams]?.push(encodeEvent(i + 1, renamed.type, 1, dataOf(i)))
  doc.transact(() => arrays.forEach((array, s) => array.push(batches[s] ?? [])))
  return doc
}

const titles = defineProjection({
  name: 'titles',
  initial: { count: 0, last: '' },
  events: [renamed],
  reduce: (state, event) => ({ count: state.count + 1, last: event.data.title }),
})

async function fold(count: number): Promise<{ openMs: number; foldMs: number; lateMs: number }> {
  const doc = buildDoc(count, 4)
  let start = performance.now()
  const log = await openEventLog(doc, { events: [renamed], heartbeatMs: false })
  const openMs = performance.now() - start
  start = performance.now()
  const projection = log.projection(titles)
  const foldMs = performance.now() - start
  if (projection.state.count !== count) throw new Error('fold incomplete')
  const late = new Y.Array<Entry>()
  start = performance.now()
  // A late event from another stream sorting 1,000 events before the tip.
  doc.transact(() => {
    streamsOf(doc).set('late.s0', late)
    late.push([encodeEvent(count - 1000, renamed.type, 1, dataOf(7))])
  })
  const lateMs = performance.now() - start
  if (projection.state.count !== count + 1) throw new Error('late event not folded')
  await log.close({ closeStream: false })
  return { openMs, foldMs, lateMs }
}

async function emitRate(count: number): Promise<number> {
  const log = await openEventLog(new Y.Doc(), { events: [renamed], projections: [titles], heartbeatMs: false })
  const start = performance.now()
  for (let i = 0; i < count; i++) log.emit(renamed, dataOf(i))
  const ms = performance.now() - start
  await log.close()
  return count / (ms / 1000)
}

const round = (n: number): string => n.toFixed(1)
console.log(`emit with one projection: ${Math.round(await emitRate(20_000))} events/s`)
console.log(`envelope bytes/event, events only: ${round(await envelopeBytes(10_000, false))}`)
console.log(`envelope bytes/event, each event followed by another edit of the doc: ${round(await envelopeBytes(10_000, true))}`)
for (let run = 0; run < 3; run++) {
  const { openMs, foldMs, lateMs } = await fold(100_000)
  console.log(`100,000 events: open (read + sort) ${round(openMs)} ms, fold ${round(foldMs)} ms; late event 1,000 before tip ${round(lateMs)} ms`)
}
