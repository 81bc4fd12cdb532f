import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { setFlagsFromString } from 'node:v8'
import { runInNewContext } from 'node:vm'
import { afterEach, describe, expect, it } from 'vitest'
import { createSqliteStorage, type RelayStorage } from '../src/index.js'

setFlagsFromString('--expose-gc')
const collectGarbage = runInNewContext('gc') as () => void
const MIB = 1024 * 1024

/** Bytes of array buffers this thread allocated that are still alive, after a full collection. */
const liveArrayBuffers = async (): Promise<number> => {
  // Two turns: replies that hand buffers back arrive as messages.
  await new Promise(resolve => setImmediate(resolve))
  collectGarbage()
  await new Promise(resolve => setImmediate(resolve))
  collectGarbage()
  return process.memoryUsage().arrayBuffers
}

describe('sqlite storage memory', () => {
  let dir = ''
  let storage: RelayStorage | null = null
  afterEach(async () => {
    await storage?.close()
    if (dir) rmSync(dir, { recursive: true, force: true })
  })

  it('keeps no copy of a committed update on the writer thread', async () => {
    dir = mkdtempSync(join(tmpdir(), 'driftless-sqlite-'))
    storage = createSqliteStorage({ path: join(dir, 'relay.db') })
    const before = await liveArrayBuffers()
    // The writer thread seldom collects garbage: a copy it dropped would stay alive, counted here.
    await storage.append([{ docId: 'big', update: new Uint8Array(8 * MIB).fill(7) }])
    await storage.replace('big', [], new Uint8Array(8 * MIB).fill(8))
    expect(await liveArrayBuffers() - before).toBeLessThan(MIB)
    const rows = await storage.load('big')
    expect(rows.map(row => [row.update.length, row.update[0]])).toEqual([[8 * MIB, 7], [8 * MIB, 8]])
  })
})
