import WebSocket from 'ws'
import * as Y from 'yjs'
import type { Scenario } from '../scenario.js'
import { repeatAlternating, rowFrom, tempDir } from '../scenario.js'
import { startServer } from '../proc/server-process.js'
import { largeUpdate } from '../large-update.js'
import { loadReplica } from '../systems/driftless.js'
import { waitUntil } from '@driftless/testkit/support'
import { withTimeout } from '../wait.js'

const SCENARIO = '11. version history'
const TIMEOUT_MS = 120_000
const RSS_SAMPLE_MS = 10

/** What this scenario uses of a replica. */
interface VersionedReplica {
  doc: Y.Doc
  status: string
  whenSynced(): Promise<void>
  close(): Promise<void>
}

/** The replica's version history API (`@driftless/replica/versions`), beyond what the other scenarios use. */
interface VersionsModule {
  createVersion(replica: VersionedReplica, name: string): Promise<{ id: number; bytes: number }>
  restoreVersion(replica: VersionedReplica, id: number): Promise<unknown>
}

const loadVersions = async (): Promise<VersionsModule> => {
  // A computed specifier, as for the replica itself (see loadReplica).
  const specifier = '@driftless/replica/versions'
  const mod = (await import(specifier)) as Partial<VersionsModule>
  if (typeof mod.createVersion !== 'function' || typeof mod.restoreVersion !== 'function') throw new Error(`${specifier} has no version history API`)
  return mod as VersionsModule
}

/** Taking a version of the large document, and restoring it: time, bytes, and the relay's memory meanwhile. */
export const versions: Scenario = {
  id: 'versions',
  title: SCENARIO,
  async run(context) {
    if (context.driftlessUnavailable) throw new Error(context.driftlessUnavailable)
    const update = largeUpdate(context.config.largeDoc.inserts, context.log)
    const mod = await loadReplica()
    const history = await loadVersions()
    const results = await repeatAlternating(context, ['driftless'] as const, async (_system, rep): Promise<Record<string, number>> => {
      const data = tempDir('versions')
      const server = await startServer('driftless', { dataDir: data.path })
      const replica = mod.openReplica({ docId: `versions-${rep}`, relay: server.url, storage: 'memory', WebSocket, crossTab: false }) as unknown as VersionedReplica
      const opened = [replica]
      try {
        Y.applyUpdate(replica.doc, update)
        await withTimeout('large document synced', replica.whenSynced(), TIMEOUT_MS)
        await waitUntil(() => replica.status === 'synced', TIMEOUT_MS, 'replica synced')
        let started = performance.now()
        const version = await withTimeout('create version', history.createVersion(replica, 'bench'), TIMEOUT_MS)
        const createMs = performance.now() - started
        replica.doc.getText('text').insert(0, 'changed after the version ')
        await withTimeout('edit synced', replica.whenSynced(), TIMEOUT_MS)
        await server.collectGarbage()
        const rssBefore = server.memory().rss
        let rssMax = rssBefore
        const sampler = setInterval(() => { rssMax = Math.max(rssMax, server.memory().rss) }, RSS_SAMPLE_MS)
        // Another document on the same relay, edited one change at a time while the restore runs.
        const other = mod.openReplica({ docId: `versions-other-${rep}`, relay: server.url, storage: 'memory', WebSocket, crossTab: false }) as unknown as VersionedReplica
        opened.push(other)
        await waitUntil(() => other.status === 'synced', TIMEOUT_MS, 'other document synced')
        started = performance.now()
        let restoring = true
        const restore = withTimeout('restore version', history.restoreVersion(replica, version.id), TIMEOUT_MS).finally(() => { restoring = false })
        let otherMaxMs = 0
        let otherEdits = 0
        try {
          while (restoring) {
            const sent = performance.now()
            other.doc.getText('text').insert(0, 'x')
            await withTimeout('other document edit synced', other.whenSynced(), TIMEOUT_MS)
            otherMaxMs = Math.max(otherMaxMs, performance.now() - sent)
            otherEdits++
          }
          await restore
        } finally {
          clearInterval(sampler)
        }
        const restoreMs = performance.now() - started
        rssMax = Math.max(rssMax, server.memory().rss)
        return { createMs, bytes: version.bytes, restoreMs, rssBefore: rssBefore / 2 ** 20, rssDuring: rssMax / 2 ** 20, otherMaxMs, otherEdits }
      } finally {
        for (const open of opened) await open.close()
        await server.stop()
        data.remove()
      }
    })
    const base = { scenario: SCENARIO } as const
    const mib = (update.byteLength / 2 ** 20).toFixed(1)
    return {
      rows: [
        rowFrom({ ...base, metric: `create a named version (${mib} MiB document)`, key: 'createMs', unit: 'ms', better: 'lower' }, results),
        rowFrom({ ...base, metric: 'stored version size', key: 'bytes', unit: 'bytes', better: 'lower' }, results),
        rowFrom({ ...base, metric: 'restore it (request to committed)', key: 'restoreMs', unit: 'ms', better: 'lower' }, results),
        rowFrom({ ...base, metric: 'relay RSS before the restore', key: 'rssBefore', unit: 'MiB', better: 'lower' }, results),
        rowFrom({ ...base, metric: 'relay RSS during the restore (max sampled)', key: 'rssDuring', unit: 'MiB', better: 'lower' }, results),
        rowFrom({ ...base, metric: 'another document during the restore: slowest edit to synced', key: 'otherMaxMs', unit: 'ms', better: 'lower' }, results),
        rowFrom({ ...base, metric: 'another document during the restore: edits synced, one after another', key: 'otherEdits', unit: 'count', better: 'higher' }, results),
      ],
      method: `Driftless only (the peers have no version history). One Node replica loads the large document (${update.byteLength.toLocaleString('en-US')} bytes, as in scenario 3) into a relay process on SQLite and waits until it is synced; \`createVersion\` is timed from the request to the answer (the relay merges the state and writes it to SQLite). After one small edit and a full GC in the relay, \`restoreVersion\` is timed from the request to the answer, which comes once the restore's update is committed; the relay's VmRSS is sampled every ${RSS_SAMPLE_MS} ms meanwhile (the restore loads the current state and the version into two temporary Y.Docs, on the relay's restore thread). Meanwhile a second replica edits another document on the same relay, one change at a time, each waited for until synced: the slowest of those round trips shows whether the restore stalls the relay for other documents.`,
    }
  },
}
