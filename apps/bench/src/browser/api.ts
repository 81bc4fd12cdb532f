/** What a local-persistence page exposes as `window.benchPersistence` (y-indexeddb or a Driftless replica). */
export interface PersistencePageApi {
  /** Opens the document, makes `count` one-edit transactions and resolves with the ms until all are committed locally. */
  commitEdits(count: number): Promise<number>
  /** Opens the document and resolves with the ms until its stored state is loaded, and the text length it holds. */
  load(): Promise<{ ms: number; length: number }>
  /** Opens and closes the document up to `count` times without editing, stopping after `budgetMs`; resolves with the cycles done. */
  openCloseCycles(count: number, budgetMs: number): Promise<number>
  /** Counts every record in every object store of every IndexedDB database of the origin, and their approximate bytes. */
  storeSize(): Promise<{ records: number; bytes: number }>
}

/** What a tab page exposes as `window.benchTab` once it opened its document. */
export interface TabPageApi {
  /** True once the page's client finished its first sync with the server. */
  synced(): boolean
}

declare global {
  interface Window {
    benchPersistence?: PersistencePageApi
    benchTab?: TabPageApi
    /** Set by a page when it fails to start. */
    benchError?: string
  }
}
