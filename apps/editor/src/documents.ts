import type * as Y from 'yjs'

/** One entry of the document list (the index document's `documents` map: id → entry). */
export interface DocumentEntry {
  readonly createdAt: number
}

/** The index document: the list every device shares. */
export const INDEX_DOC = 'editor:index'

/** The replica id of a document of the list. */
export const docIdOf = (id: string): string => `editor:doc:${id}`

/** The map of documents in the index document. */
export const documentsOf = (doc: Y.Doc): Y.Map<DocumentEntry> => doc.getMap<DocumentEntry>('documents')

/**
 * Titles, by document id, in a map of their own: a device that adds a document it was linked to (without
 * having synced yet) then never overwrites a title someone gave it.
 */
export const titlesOf = (doc: Y.Doc): Y.Map<string> => doc.getMap<string>('titles')

/** A new document id: short, random, safe in a URL. */
export const newDocumentId = (): string => Math.random().toString(36).slice(2, 10)

/** Entries oldest first (ties broken by id, so every device shows the same order). */
export const sortedEntries = (documents: Record<string, DocumentEntry>): [string, DocumentEntry][] =>
  Object.entries(documents).sort(([a, x], [b, y]) => x.createdAt - y.createdAt || a.localeCompare(b))
