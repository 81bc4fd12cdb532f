// Resolved to @driftless/replica by the page bundler (src/browser/bundle.ts). Declared here with the part of
// the public API the pages use, so the harness type-checks while the package is still being written.
declare module 'bench:driftless-replica' {
  import type * as Y from 'yjs'
  export interface Replica {
    doc: Y.Doc
    loaded: Promise<unknown>
    status: string
    whenSaved(): Promise<void>
    whenSynced(): Promise<void>
    close(): Promise<void>
  }
  export function openReplica(options: { docId: string; relay?: string; storage?: 'memory' | 'indexeddb' }): Replica
}
