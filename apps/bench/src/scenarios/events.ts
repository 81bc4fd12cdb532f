import * as Y from 'yjs'
import type { Scenario } from '../scenario.js'
import { repeatAlternating, rowFrom } from '../scenario.js'

const SCENARIO = '8. events'
const APPENDS = 10_000
const BATCH = 1_000

/** The part of @driftless/events' public API the harness uses. */
interface Projection { readonly state: { sum: number; count: number } }
interface EventLog {
  emit(definition: unknown, data: number): string
  projection(definition: unknown): Projection
  close?(): unknown
}
interface EventsModule {
  defineEvent(type: string, options: { schema: (data: unknown) => data is number }): unknown
  defineProjection(definition: unknown): unknown
  openEventLog(replica: Y.Doc, options: { events: unknown[]; projections?: unknown[]; heartbeatMs: false }): Promise<EventLog>
}

const loadEvents = async (): Promise<EventsModule> => {
  // A computed specifier: the harness must type-check and run while the package is still being written.
  const specifier = '@driftless/events'
  const mod = (await import(specifier)) as Partial<EventsModule>
  if (typeof mod.openEventLog !== 'function') throw new Error('@driftless/events has no openEventLog yet')
  return mod as EventsModule
}

const copy = (from: Y.Doc): Y.Doc => {
  const doc = new Y.Doc()
  Y.applyUpdate(doc, Y.encodeStateAsUpdate(from))
  return doc
}

/** Folding a long event log, a late event that forces a rewind, and what one event costs in bytes. */
export const events: Scenario = {
  id: 'events',
  title: SCENARIO,
  async run(context) {
    const { events: count, rewind } = context.config.events
    const appends = Math.min(APPENDS, count)
    let mod: EventsModule | undefined
    let unavailable: string | undefined
    try {
      mod = await loadEvents()
    } catch (error) {
      unavailable = (error as { code?: string }).code === 'ERR_MODULE_NOT_FOUND' ? '@driftless/events is not built yet' : String(error)
    }
    const results = await repeatAlternating(context, mod ? (['driftless'] as const) : [], async () => {
      if (!mod) throw new Error('unreachable')
      const added = mod.defineEvent('add', { schema: (d): d is number => typeof d === 'number' })
      const total = mod.defineProjection({
        name: 'total', initial: { sum: 0, count: 0 }, events: [added],
        reduce: (state: { sum: number; count: number }, event: { data: number }) => ({ sum: state.sum + event.data, count: state.count + 1 }),
      })
      const options = { events: [added], projections: [total], heartbeatMs: false as const }
      // Appending cost, one transaction per event, on its own document.
      const appender = new Y.Doc()
      const appenderLog = await mod.openEventLog(appender, options)
      const appendStarted = performance.now()
      for (let i = 0; i < appends; i++) appenderLog.emit(added, 1)
      const appendMs = performance.now() - appendStarted
      appenderLog.close?.()

      // The long log is written in batches of 1,000 events per transaction to keep the setup short.
      const writer = new Y.Doc()
      const log = await mod.openEventLog(writer, options)
      const emitBatched = (n: number): void => {
        for (let done = 0; done < n; done += BATCH) writer.transact(() => { for (let i = 0; i < Math.min(BATCH, n - done); i++) log.emit(added, 1) })
      }
      emitBatched(count - rewind)
      // A replica that goes offline here and writes one event the writer will only see after `rewind` more.
      const offline = copy(writer)
      const offlineLog = await mod.openEventLog(offline, options)
      emitBatched(rewind)
      let oneEventBytes = 0
      const measure = (update: Uint8Array): void => { oneEventBytes = update.byteLength }
      offline.on('update', measure)
      offlineLog.emit(added, 1000)
      offline.off('update', measure)
      const docBytes = Y.encodeStateAsUpdate(writer).byteLength

      // Fold: a fresh replica of the whole log opens it and folds the projection.
      const reader = copy(writer)
      const foldStarted = performance.now()
      const readerLog = await mod.openEventLog(reader, options)
      const folded = readerLog.projection(total).state
      const foldMs = performance.now() - foldStarted
      if (folded.count !== count) throw new Error(`folded ${folded.count} of ${count} events`)

      // Late event: it sorts ~`rewind` events before the tip, so the projection rewinds and refolds those.
      const projection = log.projection(total)
      const before = projection.state.sum
      const lateStarted = performance.now()
      Y.applyUpdate(writer, Y.encodeStateAsUpdate(offline, Y.encodeStateVector(writer)))
      const after = projection.state.sum
      const lateMs = performance.now() - lateStarted
      if (after !== before + 1000) throw new Error(`late event not folded (${before} → ${after})`)
      for (const l of [log, offlineLog, readerLog]) l.close?.()
      return { foldMs, lateMs, appendMs, oneEventBytes, bytesPerEvent: docBytes / count }
    })
    const peers = { 'y-websocket': 'no event layer', hocuspocus: 'no event layer' }
    const missing = unavailable ? { ...peers, driftless: unavailable } : peers
    const n = count.toLocaleString('en-US')
    const base = { scenario: SCENARIO } as const
    return {
      rows: [
        rowFrom({ ...base, metric: `fold ${n} events (open log + projection)`, key: 'foldMs', unit: 'ms', better: 'lower' }, results, missing),
        rowFrom({ ...base, metric: `late event rewinding ${rewind.toLocaleString('en-US')}`, key: 'lateMs', unit: 'ms', better: 'lower' }, results, missing),
        rowFrom({ ...base, metric: `append ${appends.toLocaleString('en-US')} events (one transaction each)`, key: 'appendMs', unit: 'ms', better: 'lower' }, results, missing),
        rowFrom({ ...base, metric: 'bytes per event in the encoded document', key: 'bytesPerEvent', unit: 'bytes', better: 'lower' }, results, missing),
        rowFrom({ ...base, metric: 'bytes of one emitted event\'s update', key: 'oneEventBytes', unit: 'bytes', better: 'lower' }, results, missing),
      ],
      method: `@driftless/events on bare Y.Docs in the harness process (no network), one event type (\`add\`, data: a number) and a summing projection. Append: ${appends.toLocaleString('en-US')} events emitted one transaction each on a fresh log. A writer then appends ${n} events in transactions of ${BATCH.toLocaleString('en-US')} (setup only). Fold: a fresh copy of the document opens the log and reads the projection. Late event: a copy taken ${rewind.toLocaleString('en-US')} events before the end writes one event; applying it to the writer (which already folded all ${n}) sorts it ~${rewind.toLocaleString('en-US')} events before the tip; timed from applying the update to reading the refolded state. Bytes per event: the encoded document's size ÷ events; one event's update: the Yjs update one emit produces. The peers have no event layer.`,
    }
  },
}
