import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import * as Y from 'yjs'
import { CACHE_DIR } from './paths.js'
import { createRng } from '@driftless/testkit/support'

/** Text of each insert: with 100k inserts at random positions this makes a ~4.2 MB update. */
const INSERT = 'lorem ipsum '

/** Where `largeUpdate(inserts)` caches its bytes (there once it was called). */
export const largeUpdatePath = (inserts: number): string => join(CACHE_DIR, `large-update-${inserts}.bin`)

/**
 * A Yjs update made of `inserts` seeded random-position inserts into one Y.Text ('text'). Building 100k
 * takes ~16 s, so it is cached in apps/bench/.cache.
 */
export const largeUpdate = (inserts: number, log: (message: string) => void): Uint8Array => {
  const path = largeUpdatePath(inserts)
  if (existsSync(path)) return new Uint8Array(readFileSync(path))
  log(`building the large document (${inserts} inserts), cached in ${path}`)
  const doc = new Y.Doc()
  const text = doc.getText('text')
  const rng = createRng(42)
  for (let i = 0; i < inserts; i++) text.insert(rng.int(0, text.length), INSERT)
  const update = Y.encodeStateAsUpdate(doc)
  mkdirSync(CACHE_DIR, { recursive: true })
  writeFileSync(path, update)
  return update
}
