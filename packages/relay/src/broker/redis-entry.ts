import type { BrokerControl } from './types.js'

/** Field names of a stream entry: kept to one byte each, since every edit carries them. */
export const NODE_FIELD = 'n'
export const UPDATE_FIELD = 'u'
/** A lifecycle event (`BrokerControl`) instead of an update. */
export const CONTROL_FIELD = 'c'

const CONTROLS: ReadonlySet<string> = new Set<BrokerControl>(['deleted'])

/** A decoded stream entry, or why it was refused. */
export type DecodedEntry =
  | { ok: true; nodeId: string; update: Uint8Array }
  | { ok: true; nodeId: string; control: BrokerControl }
  | { ok: false; reason: string }

/** Reads an entry's flat `[field, value, …]` list as XREAD returns it with buffers. */
export function decodeEntry(fields: readonly Buffer[], isValidUpdate: (update: Uint8Array) => boolean): DecodedEntry {
  let nodeId: string | undefined
  let update: Buffer | undefined
  let control: string | undefined
  if (fields.length % 2 !== 0) return { ok: false, reason: 'odd number of fields' }
  for (let i = 0; i < fields.length; i += 2) {
    const name = fields[i]!.toString('latin1')
    if (name === NODE_FIELD) nodeId = fields[i + 1]!.toString('utf8')
    else if (name === UPDATE_FIELD) update = fields[i + 1]
    else if (name === CONTROL_FIELD) control = fields[i + 1]!.toString('latin1')
  }
  if (nodeId === undefined || nodeId === '') return { ok: false, reason: 'no node id field' }
  if (control !== undefined) {
    return CONTROLS.has(control) ? { ok: true, nodeId, control: control as BrokerControl } : { ok: false, reason: 'unknown control' }
  }
  if (update === undefined) return { ok: false, reason: 'no update field' }
  const bytes = new Uint8Array(update.buffer, update.byteOffset, update.byteLength)
  if (!isValidUpdate(bytes)) return { ok: false, reason: 'not a valid update' }
  return { ok: true, nodeId, update: bytes }
}
