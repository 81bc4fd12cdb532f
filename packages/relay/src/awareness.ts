import * as decoding from 'lib0/decoding'
import * as encoding from 'lib0/encoding'

/** One entry of a y-protocols awareness update: `state` is the JSON text, `'null'` when removed. */
export interface AwarenessEntry { clientId: number; clock: number; state: string }

/**
 * Decodes a y-protocols awareness update (`varuint count`, then `clientId, clock, JSON state` each),
 * checking every state is JSON so that no peer's `applyAwarenessUpdate` can throw on what we forward.
 * Returns null for anything malformed.
 */
export const parseAwareness = (update: Uint8Array): AwarenessEntry[] | null => {
  try {
    const decoder = decoding.createDecoder(update)
    const count = decoding.readVarUint(decoder)
    const entries: AwarenessEntry[] = []
    for (let i = 0; i < count; i++) {
      const clientId = decoding.readVarUint(decoder)
      const clock = decoding.readVarUint(decoder)
      const state = decoding.readVarString(decoder)
      JSON.parse(state)
      entries.push({ clientId, clock, state })
    }
    return decoding.hasContent(decoder) ? null : entries
  } catch {
    return null
  }
}

export const encodeAwareness = (entries: Iterable<AwarenessEntry>): Uint8Array => {
  const list = [...entries]
  const encoder = encoding.createEncoder()
  encoding.writeVarUint(encoder, list.length)
  for (const entry of list) {
    encoding.writeVarUint(encoder, entry.clientId)
    encoding.writeVarUint(encoder, entry.clock)
    encoding.writeVarString(encoder, entry.state)
  }
  return encoding.toUint8Array(encoder)
}

interface AwarenessRecord<Owner> { clock: number; state: string; owner: Owner }

/**
 * A document's awareness states, kept as the JSON text peers sent (never parsed into objects after the
 * validity check), with the subscriber that owns each client id so its states can be cleared when it leaves.
 * Follows y-protocols' rule: a newer clock wins; an equal clock wins only to remove.
 */
export class AwarenessStates<Owner> {
  private readonly states = new Map<number, AwarenessRecord<Owner>>()

  get size(): number {
    return this.states.size
  }

  apply(entries: readonly AwarenessEntry[], owner: Owner): void {
    for (const entry of entries) {
      const current = this.states.get(entry.clientId)
      const removal = entry.state === 'null'
      if (current !== undefined && !(entry.clock > current.clock || (entry.clock === current.clock && removal))) continue
      if (removal) this.states.delete(entry.clientId)
      else this.states.set(entry.clientId, { clock: entry.clock, state: entry.state, owner })
    }
  }

  /** Every live state, as one update for a new subscriber; null when there is none. */
  snapshot(): Uint8Array | null {
    if (this.states.size === 0) return null
    const entries: AwarenessEntry[] = []
    for (const [clientId, record] of this.states) entries.push({ clientId, clock: record.clock, state: record.state })
    return encodeAwareness(entries)
  }

  /** Forgets the owner's states; returns the update telling peers they are gone, or null. */
  removeOwner(owner: Owner): Uint8Array | null {
    const removed: AwarenessEntry[] = []
    for (const [clientId, record] of this.states) {
      if (record.owner !== owner) continue
      this.states.delete(clientId)
      removed.push({ clientId, clock: record.clock + 1, state: 'null' })
    }
    return removed.length === 0 ? null : encodeAwareness(removed)
  }
}
