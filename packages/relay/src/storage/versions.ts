/** Why a version was stored. */
export type VersionKind =
  /** Created on request (`createVersion`, admin API), with a name. */
  | 'named'
  /** Taken by the relay after a document was edited and then went quiet, or every N updates. */
  | 'automatic'
  /** Taken by the relay just before a restore, so the restore can be undone. */
  | 'beforeRestore'

/** A stored version, without its content. */
export interface VersionInfo {
  /** Increasing per storage; unique across documents. */
  id: number
  docId: string
  kind: VersionKind
  /** Set for named versions (and `beforeRestore` ones), null for automatic ones. */
  name: string | null
  /** Unix milliseconds. */
  createdAt: number
  /** The `sub` of whoever asked for it, `anonymous`, or `relay` for automatic versions. */
  createdBy: string
  /** Size of the stored state, in bytes. */
  bytes: number
  /** Who committed changes between the previous version of the document and this one, sorted. */
  authors: string[]
}

/** What `VersionStore.create` stores. */
export interface NewVersion {
  docId: string
  kind: VersionKind
  name: string | null
  createdAt: number
  createdBy: string
  /** The document's full state, as one Yjs update. */
  update: Uint8Array
  /** Retention: after storing, keep only this many newest non-named versions of the document. */
  keepAutomatic: number
}

/**
 * Versions of documents, kept next to their update logs. `RelayStorage.append` records the author of each
 * write; `create` takes the authors recorded since the document's previous version, atomically.
 */
export interface VersionStore {
  /** The document's versions, newest first. */
  list(docId: string): Promise<VersionInfo[]>
  /** One version of `docId` with its content; undefined when `docId` has no version `id`. */
  get(docId: string, id: number): Promise<{ info: VersionInfo; update: Uint8Array } | undefined>
  /**
   * Stores a version with the authors recorded since the previous one (and forgets those), then deletes
   * the document's oldest non-named versions beyond `keepAutomatic`, all in one transaction.
   */
  create(version: NewVersion): Promise<VersionInfo>
}
