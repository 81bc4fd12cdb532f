import * as encoding from 'lib0/encoding'
import * as Y from 'yjs'
import { walkUpdate } from './validate.js'

/**
 * `Y.encodeStateVectorFromUpdate`, computed by walking the update without building its structs. Yjs's own
 * reader materialises every item with its text, so the state vector of a document of megabytes allocated
 * as much again; that garbage left the young generation resident at its maximum size for good.
 *
 * Same rules as Yjs: per client, the end of the structs counted from clock 0 up to the first gap (a Skip,
 * or a first struct that does not start at 0); clients with nothing counted are left out. Falls back to
 * Yjs for anything the walk refuses, so the answer never differs.
 */
export const stateVectorOfUpdate = (update: Uint8Array): Uint8Array => {
  const clocks: [client: number, clock: number][] = []
  let client = -1
  let clock = 0
  let counting = false
  let first = true
  try {
    walkUpdate(update, (structClient, structClock, length, skip) => {
      if (structClient !== client) {
        if (clock !== 0) clocks.push([client, clock])
        client = structClient
        clock = 0
        counting = structClock === 0
      }
      // Yjs counts the very first struct before looking at its kind: a leading Skip still counts. Any Skip
      // ends the counting of its client.
      if (counting && (first || !skip)) clock = structClock + length
      if (skip) counting = false
      first = false
    })
  } catch {
    return Y.encodeStateVectorFromUpdate(update)
  }
  if (clock !== 0) clocks.push([client, clock])
  const encoder = encoding.createEncoder()
  encoding.writeVarUint(encoder, clocks.length)
  for (const [id, end] of clocks) {
    encoding.writeVarUint(encoder, id)
    encoding.writeVarUint(encoder, end)
  }
  return encoding.toUint8Array(encoder)
}
