/**
 * Listener map: event name → listener signature. Written as a mapped type over the map's own keys, so an
 * interface without an index signature fits and `keyof` stays the union of its event names.
 */
export type EventMap<Events> = { [E in keyof Events]: (...args: never[]) => void }

/** A small typed emitter. A listener that throws is isolated from the others and from the emitter. */
export class Emitter<Events extends EventMap<Events>> {
  readonly #listeners = new Map<keyof Events, Set<Events[keyof Events]>>()

  /** Adds a listener; returns the function that removes it. */
  on<E extends keyof Events>(event: E, listener: Events[E]): () => void {
    let set = this.#listeners.get(event)
    if (!set) this.#listeners.set(event, (set = new Set()))
    set.add(listener)
    return () => { set.delete(listener) }
  }

  emit<E extends keyof Events>(event: E, ...args: Parameters<Events[E]>): void {
    const set = this.#listeners.get(event)
    if (!set) return
    for (const listener of [...set]) {
      try {
        ;(listener as (...a: Parameters<Events[E]>) => void)(...args)
      } catch (error) {
        // A broken listener must not break replication (nor crash a Node process): report it and go on.
        const report = (globalThis as { reportError?: (error: unknown) => void }).reportError
        if (report) report(error)
        else console.error(error)
      }
    }
  }

  clear(): void {
    this.#listeners.clear()
  }
}
