import { mergeUpdates } from '../merge-updates.js'

interface Window {
  updates: Uint8Array[]
  startedAt: number
  timer: NodeJS.Timeout
}

/** Past this many updates a window is merged in place, so a busy document holds one update, not thousands. */
const FOLD_AT = 64

/**
 * Collects each document's committed updates and hands them over once the document was quiet for
 * `debounceMs`, or `maxWaitMs` after the window opened.
 */
export class ChangeDebouncer {
  private readonly windows = new Map<string, Window>()

  constructor(
    private readonly debounceMs: number,
    private readonly maxWaitMs: number,
    /** Receives the window's updates; merging them is the receiver's job, where a failure can be reported. */
    private readonly emit: (docId: string, updates: readonly Uint8Array[]) => void,
  ) {}

  add(docId: string, update: Uint8Array): void {
    const now = performance.now()
    let window = this.windows.get(docId)
    if (window === undefined) {
      window = { updates: [], startedAt: now, timer: setTimeout(() => {}, 0) }
      this.windows.set(docId, window)
    }
    clearTimeout(window.timer)
    window.updates.push(update)
    if (window.updates.length >= FOLD_AT) window.updates = [mergeUpdates(window.updates)]
    const delay = Math.min(this.debounceMs, this.maxWaitMs - (now - window.startedAt))
    window.timer = setTimeout(() => this.fire(docId), Math.max(0, delay))
    window.timer.unref()
  }

  /** Fires every open window now (shutdown). */
  flushAll(): void {
    for (const docId of [...this.windows.keys()]) this.fire(docId)
  }

  private fire(docId: string): void {
    const window = this.windows.get(docId)
    if (window === undefined) return
    clearTimeout(window.timer)
    this.windows.delete(docId)
    this.emit(docId, window.updates)
  }
}
