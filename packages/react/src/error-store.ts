/** The latest error of a replica's component tree, for `useReplicaError`. One per provider. */
export class ErrorStore {
  error: Error | undefined
  readonly #listeners = new Set<() => void>()

  constructor(private readonly deliver: (error: Error) => void) {}

  /** Hands the error on (to `onError`, or the console: nothing is swallowed) and keeps it for the hooks. */
  readonly report = (error: Error): void => {
    this.deliver(error)
    this.#set(error)
  }

  readonly clear = (): void => this.#set(undefined)

  readonly subscribe = (listener: () => void): (() => void) => {
    this.#listeners.add(listener)
    return () => { this.#listeners.delete(listener) }
  }

  #set(error: Error | undefined): void {
    if (this.error === error) return
    this.error = error
    for (const listener of [...this.#listeners]) listener()
  }
}
