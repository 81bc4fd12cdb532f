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

/** Bounds on a document's presence, so that no peer can grow the relay's memory or a newcomer's first frame. */
export interface AwarenessLimits {
  /** Bytes of one client's state (its JSON text). @default 8192 */
  maxStateBytes: number
  /** Client ids one connection may hold states for, per document (a browser's tabs). @default 16 */
  maxStatesPerConnection: number
  /** States per document. @default 512 */
  maxStatesPerDocument: number
  /** Bytes of the snapshot a new subscriber is sent (most recently renewed states first). @default 262144 */
  maxSnapshotBytes: number
  /** A state not renewed for this long is dropped (y-protocols clients renew every 15 s). @default 30000 */
  timeoutMs: number
}

export const DEFAULT_AWARENESS_LIMITS: AwarenessLimits = {
  maxStateBytes: 8192,
  maxStatesPerConnection: 16,
  maxStatesPerDocument: 512,
  maxSnapshotBytes: 256 * 1024,
  timeoutMs: 30_000,
}

/** What `apply` kept (to forward) and why it refused the rest, if it did. */
export interface AwarenessApplied {
  accepted: AwarenessEntry[]
  refused: string | null
}

interface AwarenessRecord<Owner> { clock: number; state: string; owner: Owner; renewedAt: number }

/**
 * A document's awareness states, kept as the JSON text peers sent (never parsed into objects after the
 * validity check), with the subscriber that owns each client id so its states can be cleared when it leaves.
 * Follows y-protocols' rule: a newer clock wins; an equal clock wins only to remove. A client id belongs to
 * the connection that first set it: no other connection may set or remove it (whatever its grant), and the
 * limits bound how many states there are and how large each is.
 */
export class AwarenessStates<Owner> {
  /**
   * Made with the first state and dropped with the last: most open documents never carry presence, and two
   * empty Maps per document were a tenth of what an open document holds.
   */
  private maps: { states: Map<number, AwarenessRecord<Owner>>; perOwner: Map<Owner, number> } | null = null

  constructor(private readonly limits: AwarenessLimits = DEFAULT_AWARENESS_LIMITS) {}

  get size(): number {
    return this.maps?.states.size ?? 0
  }

  /** Applies what `owner` sent; returns the entries that changed something, to forward as they are. */
  apply(entries: readonly AwarenessEntry[], owner: Owner, now = performance.now()): AwarenessApplied {
    const accepted: AwarenessEntry[] = []
    let refused: string | null = null
    const maps = (this.maps ??= { states: new Map(), perOwner: new Map() })
    for (const entry of entries) {
      const current = maps.states.get(entry.clientId)
      const removal = entry.state === 'null'
      if (current !== undefined && current.owner !== owner) {
        if (!removal) refused = `client ${entry.clientId} belongs to another connection`
        continue
      }
      if (current !== undefined && !(entry.clock > current.clock || (entry.clock === current.clock && removal))) continue
      if (removal) {
        if (current === undefined) continue
        this.delete(entry.clientId, current)
      } else if (entry.state.length > this.limits.maxStateBytes || Buffer.byteLength(entry.state) > this.limits.maxStateBytes) {
        refused = `a presence state is over ${this.limits.maxStateBytes} bytes`
        continue
      } else if (current !== undefined) {
        current.clock = entry.clock
        current.state = entry.state
        current.renewedAt = now
      } else {
        const held = maps.perOwner.get(owner) ?? 0
        if (held >= this.limits.maxStatesPerConnection) {
          refused = `a connection may hold ${this.limits.maxStatesPerConnection} presence states per document`
          continue
        }
        if (maps.states.size >= this.limits.maxStatesPerDocument) {
          refused = `the document already has ${this.limits.maxStatesPerDocument} presence states`
          continue
        }
        maps.states.set(entry.clientId, { clock: entry.clock, state: entry.state, owner, renewedAt: now })
        maps.perOwner.set(owner, held + 1)
      }
      accepted.push(entry)
    }
    if (maps.states.size === 0) this.maps = null
    return { accepted, refused }
  }

  /** The live states for a new subscriber, most recently renewed first, within `maxSnapshotBytes`; null if none. */
  snapshot(): Uint8Array | null {
    if (this.maps === null) return null
    const records = [...this.maps.states].sort(([, a], [, b]) => b.renewedAt - a.renewedAt)
    const entries: AwarenessEntry[] = []
    let bytes = 0
    for (const [clientId, record] of records) {
      bytes += record.state.length + 16
      if (bytes > this.limits.maxSnapshotBytes && entries.length > 0) break
      entries.push({ clientId, clock: record.clock, state: record.state })
    }
    return encodeAwareness(entries)
  }

  /** Forgets the owner's states; returns the update telling peers they are gone, or null. */
  removeOwner(owner: Owner): Uint8Array | null {
    return this.removeWhere(record => record.owner === owner)
  }

  /** Drops states not renewed within `timeoutMs`; returns the update telling peers they are gone, or null. */
  sweep(now = performance.now()): Uint8Array | null {
    const oldest = now - this.limits.timeoutMs
    return this.removeWhere(record => record.renewedAt < oldest)
  }

  private removeWhere(match: (record: AwarenessRecord<Owner>) => boolean): Uint8Array | null {
    const maps = this.maps
    if (maps === null) return null
    const removed: AwarenessEntry[] = []
    for (const [clientId, record] of maps.states) {
      if (!match(record)) continue
      this.delete(clientId, record)
      removed.push({ clientId, clock: record.clock + 1, state: 'null' })
    }
    if (maps.states.size === 0) this.maps = null
    return removed.length === 0 ? null : encodeAwareness(removed)
  }

  /** Removes one state; the caller drops `maps` once it is empty (not here: callers may be iterating it). */
  private delete(clientId: number, record: AwarenessRecord<Owner>): void {
    const { states, perOwner } = this.maps!
    states.delete(clientId)
    const held = (perOwner.get(record.owner) ?? 1) - 1
    if (held > 0) perOwner.set(record.owner, held)
    else perOwner.delete(record.owner)
  }
}
