import type { NewVersion, VersionInfo, VersionStore } from './versions.js'

/** Versions for the memory storage; `recordAuthor` is called by its `append`. */
export const createMemoryVersions = (assertOpen: () => void): VersionStore & {
  recordAuthor(docId: string, author: string): void
  /** The document was deleted: its versions and recorded authors go with it. */
  forget(docId: string): void
  clear(): void
} => {
  const versions = new Map<string, { info: VersionInfo; update: Uint8Array }[]>()
  const authors = new Map<string, Set<string>>()
  let nextId = 1
  return {
    recordAuthor(docId, author) {
      let set = authors.get(docId)
      if (set === undefined) authors.set(docId, (set = new Set()))
      set.add(author)
    },
    forget(docId) {
      versions.delete(docId)
      authors.delete(docId)
    },
    clear() {
      versions.clear()
      authors.clear()
    },
    async list(docId) {
      assertOpen()
      return (versions.get(docId) ?? []).map(entry => ({ ...entry.info, authors: [...entry.info.authors] })).reverse()
    },
    async get(docId, id) {
      assertOpen()
      const entry = versions.get(docId)?.find(candidate => candidate.info.id === id)
      return entry === undefined ? undefined : { info: { ...entry.info, authors: [...entry.info.authors] }, update: entry.update.slice() }
    },
    async create(version: NewVersion) {
      assertOpen()
      const info: VersionInfo = {
        id: nextId++, docId: version.docId, kind: version.kind, name: version.name, createdAt: version.createdAt,
        createdBy: version.createdBy, bytes: version.update.length, authors: [...(authors.get(version.docId) ?? [])].sort(),
      }
      authors.delete(version.docId)
      let list = versions.get(version.docId)
      if (list === undefined) versions.set(version.docId, (list = []))
      list.push({ info, update: version.update.slice() })
      let drop = list.filter(entry => entry.info.kind !== 'named').length - version.keepAutomatic
      versions.set(version.docId, list.filter(entry => entry.info.kind === 'named' || drop-- <= 0))
      return { ...info, authors: [...info.authors] }
    },
  }
}
