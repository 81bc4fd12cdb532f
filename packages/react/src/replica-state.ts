import type { Replica, Status } from '@driftless/replica'

/** What the hooks read from one replica, kept in step with its events (one instance per replica). */
export class ReplicaState {
  status: Status
  pending: number
  leader: boolean
  loaded = false
  /** Everything this replica holds is written to local storage. */
  saved = false
  readonly #listeners = new Set<() => void>()
  readonly #stop: (() => void)[] = []
  #generation = 0
  #disposed = false

  constructor(readonly replica: Replica) {
    this.status = replica.status
    this.pending = replica.pending
    this.leader = replica.isLeader
    this.#stop.push(
      replica.on('status', (status) => this.#set(() => { this.status = status })),
      replica.on('pending', (pending) => this.#set(() => { this.pending = pending })),
      replica.on('leader', (leader) => this.#set(() => { this.leader = leader })),
    )
    const onUpdate = (): void => this.#unsaved()
    replica.doc.on('update', onUpdate)
    this.#stop.push(() => replica.doc.off('update', onUpdate))
    void replica.loaded.then(() => {
      this.#set(() => { this.loaded = true })
      this.#unsaved()
    })
  }

  /** Subscribes to any change; returns unsubscribe (the shape `useSyncExternalStore` wants). */
  readonly subscribe = (listener: () => void): (() => void) => {
    this.#listeners.add(listener)
    return () => { this.#listeners.delete(listener) }
  }

  dispose(): void {
    this.#disposed = true
    for (const stop of this.#stop) stop()
    this.#listeners.clear()
  }

  /** A change arrived (local, another tab's or the relay's): saved again once `whenSaved()` covers it. */
  #unsaved(): void {
    const generation = ++this.#generation
    if (this.saved) this.#set(() => { this.saved = false })
    void this.replica.whenSaved().then(() => {
      if (generation === this.#generation && this.loaded) this.#set(() => { this.saved = true })
    })
  }

  #set(change: () => void): void {
    if (this.#disposed) return
    change()
    for (const listener of [...this.#listeners]) listener()
  }
}
