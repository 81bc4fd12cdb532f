/**
 * What of each open document is durable. Every update the relay holds in memory (and so may tell a client
 * about) gets a sequence number per document: updates accepted from this node's clients when they are queued
 * for commit, updates from other nodes when the broker delivers them. An update stays "undurable" until this
 * node has committed it. A barrier taken at some moment resolves once every update held at that moment is
 * durable: that is what an ack waits for.
 */
interface DocLedger {
  /** The last sequence number handed out for this document. */
  seq: number
  /** Sequence numbers not yet durable, ascending. */
  undurable: number[]
  /** Barriers waiting, in the order taken (so ascending `through`). */
  waiters: { through: number; done: () => void }[]
  /** Updates from other nodes not known to be durable, with their sequence numbers. */
  remote: { seq: number; update: Uint8Array }[]
}

export class DurabilityLedger {
  readonly #docs = new Map<string, DocLedger>()
  /** One counter for all documents, so a number stays comparable after a document's ledger is dropped. */
  #seq = 0

  /** Records an update this node will commit itself; returns its sequence number. */
  held(docId: string): number {
    const doc = this.#doc(docId)
    doc.undurable.push((doc.seq = ++this.#seq))
    return doc.seq
  }

  /** Records an update from another node, durable only once this node has seen it committed. */
  heldRemote(docId: string, update: Uint8Array): void {
    const doc = this.#doc(docId)
    doc.undurable.push((doc.seq = ++this.#seq))
    doc.remote.push({ seq: doc.seq, update })
  }

  /**
   * Takes the updates from other nodes that a barrier on `docId` would wait for, so the caller commits them
   * on this node (their origin may have died before its commit). Their sequence numbers stay undurable until
   * `committed` is called with them.
   */
  takeRemote(docId: string): { seqs: number[]; updates: Uint8Array[] } | null {
    const doc = this.#docs.get(docId)
    if (doc === undefined || doc.remote.length === 0) return null
    const remote = doc.remote
    doc.remote = []
    return { seqs: remote.map(entry => entry.seq), updates: remote.map(entry => entry.update) }
  }

  /** Calls `done` once everything held for `docId` now is durable: at once if it already is. */
  barrier(docId: string, done: () => void): void {
    const doc = this.#docs.get(docId)
    if (doc === undefined || doc.undurable.length === 0) return done()
    doc.waiters.push({ through: doc.seq, done })
  }

  /** Calls `done` once every update up to `seq` of `docId` is durable. */
  barrierThrough(docId: string, seq: number, done: () => void): void {
    const doc = this.#docs.get(docId)
    if (doc === undefined || !(doc.undurable[0]! <= seq)) return done()
    // Waiters mostly arrive in order: insert from the end instead of sorting all of them each time.
    let at = doc.waiters.length
    while (at > 0 && doc.waiters[at - 1]!.through > seq) at--
    doc.waiters.splice(at, 0, { through: seq, done })
  }

  /** These sequence numbers of `docId` are committed; releases the barriers that were waiting only on them. */
  committed(docId: string, seqs: readonly number[]): void {
    const doc = this.#docs.get(docId)
    if (doc === undefined) return
    const done = new Set(seqs)
    doc.undurable = doc.undurable.filter(seq => !done.has(seq))
    this.#release(docId, doc)
  }

  /** The document left memory: updates from other nodes that nobody was told about need no commit here. */
  forgetRemote(docId: string): void {
    const doc = this.#docs.get(docId)
    if (doc === undefined || doc.remote.length === 0) return
    const dropped = new Set(doc.remote.map(entry => entry.seq))
    doc.remote = []
    doc.undurable = doc.undurable.filter(seq => !dropped.has(seq))
    this.#release(docId, doc)
  }

  /** Documents with something not yet durable or a barrier waiting (diagnostics, leak checks). */
  get size(): number {
    return this.#docs.size
  }

  #release(docId: string, doc: DocLedger): void {
    const oldest = doc.undurable[0] ?? Infinity
    let released = 0
    while (released < doc.waiters.length && doc.waiters[released]!.through < oldest) released++
    const ready = doc.waiters.splice(0, released)
    if (doc.undurable.length === 0 && doc.waiters.length === 0 && doc.remote.length === 0) this.#docs.delete(docId)
    for (const waiter of ready) waiter.done()
  }

  #doc(docId: string): DocLedger {
    let doc = this.#docs.get(docId)
    if (doc === undefined) {
      doc = { seq: 0, undurable: [], waiters: [], remote: [] }
      this.#docs.set(docId, doc)
    }
    return doc
  }
}
