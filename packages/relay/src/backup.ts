import { createInterface } from 'node:readline'
import type { Readable, Writable } from 'node:stream'
import type { RelayStorage } from './storage/types.js'
import { isValidUpdate } from './validate.js'
import { mergeUpdates } from './merge-updates.js'

/** The `format` of the first line of a backup, and the only `version` this relay reads and writes. */
export const BACKUP_FORMAT = 'driftless-relay-backup'
export const BACKUP_VERSION = 1

/**
 * One line of a backup (newline-delimited JSON, UTF-8). A backup is a header, then every document (its
 * stored rows merged into one Yjs update, base64), then every tombstone, then an end line that makes a
 * truncated file detectable.
 */
export type BackupLine =
  | { kind: 'header'; format: typeof BACKUP_FORMAT; version: typeof BACKUP_VERSION; exportedAt: string }
  | { kind: 'document'; id: string; updatedAt: number; update: string }
  | { kind: 'tombstone'; id: string; deletedAt: number }
  | { kind: 'end'; documents: number; tombstones: number }

/** Why an import stopped. Lines before `line` were imported; importing the fixed file again is safe. */
export class BackupError extends Error {
  override readonly name = 'BackupError'
  constructor(readonly code: 'badHeader' | 'unsupportedVersion' | 'badLine' | 'truncated', readonly line: number, message: string) {
    super(`line ${line}: ${message}`)
  }
}

const PAGE = 200

const write = async (out: Writable, line: BackupLine): Promise<void> => {
  if (!out.write(`${JSON.stringify(line)}\n`)) await new Promise(resolve => out.once('drain', resolve))
}

/** A document's stored rows as one update; a single row is kept byte for byte. */
const mergedState = async (storage: RelayStorage, docId: string): Promise<Uint8Array | null> => {
  const rows = await storage.load(docId)
  if (rows.length === 0) return null
  return rows.length === 1 ? rows[0]!.update : mergeUpdates(rows.map(row => row.update))
}

/** Writes a backup of every document (or only `docId`) and tombstone of `storage` to `out`. */
export const exportBackup = async (storage: RelayStorage, out: Writable, docId?: string): Promise<{ documents: number; tombstones: number }> => {
  await write(out, { kind: 'header', format: BACKUP_FORMAT, version: BACKUP_VERSION, exportedAt: new Date().toISOString() })
  let documents = 0
  let tombstones = 0
  const exportDocument = async (id: string, updatedAt: number): Promise<void> => {
    const update = await mergedState(storage, id)
    if (update === null) return // deleted since it was listed
    await write(out, { kind: 'document', id, updatedAt, update: Buffer.from(update).toString('base64') })
    documents++
  }
  if (docId !== undefined) {
    const [summary] = await storage.listDocuments({ prefix: docId, limit: 1 })
    if (summary?.id === docId) await exportDocument(docId, summary.updatedAt)
    const tombstone = await storage.tombstone(docId)
    if (tombstone !== null) {
      await write(out, { kind: 'tombstone', ...tombstone })
      tombstones++
    }
  } else {
    for (let after: string | undefined; ;) {
      const page = await storage.listDocuments({ after, limit: PAGE })
      for (const summary of page) await exportDocument(summary.id, summary.updatedAt)
      if (page.length < PAGE) break
      after = page.at(-1)!.id
    }
    for (let after: string | undefined; ;) {
      const page = await storage.listTombstones({ after, limit: PAGE })
      for (const tombstone of page) await write(out, { kind: 'tombstone', ...tombstone })
      tombstones += page.length
      if (page.length < PAGE) break
      after = page.at(-1)!.id
    }
  }
  await write(out, { kind: 'end', documents, tombstones })
  return { documents, tombstones }
}

/** What an import did. */
export interface ImportResult {
  documents: number
  tombstones: number
  /** Documents not stored because the target holds a tombstone for them. */
  skippedDeleted: string[]
}

const parseLine = (text: string, number: number): BackupLine => {
  let line: unknown
  try {
    line = JSON.parse(text)
  } catch {
    throw new BackupError('badLine', number, 'not JSON')
  }
  const value = line as Record<string, unknown>
  const isString = (key: string) => typeof value[key] === 'string'
  const isNumber = (key: string) => typeof value[key] === 'number' && Number.isFinite(value[key])
  if (value.kind === 'document' && isString('id') && isNumber('updatedAt') && isString('update')) return line as BackupLine
  if (value.kind === 'tombstone' && isString('id') && isNumber('deletedAt')) return line as BackupLine
  if (value.kind === 'end' && isNumber('documents') && isNumber('tombstones')) return line as BackupLine
  if (value.kind === 'header') return line as BackupLine
  throw new BackupError('badLine', number, 'not a document, tombstone or end line')
}

/**
 * Reads a backup from `input` into `storage`: each document's update is appended (merged by Yjs with
 * whatever the target holds), each tombstone deletes. Every line is checked before it is stored; the first bad
 * one stops the import with a `BackupError`. Run it with the relay stopped: open rooms would not see it.
 */
export const importBackup = async (storage: RelayStorage, input: Readable): Promise<ImportResult> => {
  const result: ImportResult = { documents: 0, tombstones: 0, skippedDeleted: [] }
  let number = 0
  let ended = false
  for await (const text of createInterface({ input, crlfDelay: Infinity })) {
    number++
    if (text.trim() === '') continue
    if (ended) throw new BackupError('badLine', number, 'content after the end line')
    const line = parseLine(text, number)
    if (number === 1) {
      if (line.kind !== 'header' || line.format !== BACKUP_FORMAT) throw new BackupError('badHeader', number, `not a ${BACKUP_FORMAT} file`)
      if (line.version !== BACKUP_VERSION) throw new BackupError('unsupportedVersion', number, `version ${String(line.version)}; this relay reads ${BACKUP_VERSION}`)
      continue
    }
    switch (line.kind) {
      case 'header':
        throw new BackupError('badLine', number, 'a second header')
      case 'document': {
        const update = new Uint8Array(Buffer.from(line.update, 'base64'))
        if (!isValidUpdate(update)) throw new BackupError('badLine', number, `the update of "${line.id}" is not a valid Yjs update`)
        if ((await storage.tombstone(line.id)) !== null) {
          result.skippedDeleted.push(line.id)
          break
        }
        await storage.append([{ docId: line.id, update }])
        result.documents++
        break
      }
      case 'tombstone':
        await storage.deleteDocument(line.id, line.deletedAt)
        result.tombstones++
        break
      case 'end':
        if (line.documents !== result.documents + result.skippedDeleted.length || line.tombstones !== result.tombstones) {
          throw new BackupError('truncated', number, 'the end line counts other documents or tombstones than the file holds')
        }
        ended = true
    }
  }
  if (number === 0) throw new BackupError('badHeader', 0, 'the input is empty')
  if (!ended) throw new BackupError('truncated', number, 'no end line: the file was cut short')
  return result
}
