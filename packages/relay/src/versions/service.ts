import { ErrorCode } from '@driftless/protocol'
import type { Logger } from 'pino'
import type { AckTarget } from '../commit-queue.js'
import { SERVER_ORIGIN } from '../hooks/connection.js'
import { RelayError } from '../errors.js'
import { EMPTY_UPDATE, isEmptyUpdate, type Room, type Subscriber } from '../room.js'
import type { Rooms } from '../rooms.js'
import type { RelayStorage } from '../storage/types.js'
import type { VersionInfo, VersionKind } from '../storage/versions.js'
import { MAX_VERSION_NAME_BYTES, type ResolvedVersionOptions } from './options.js'
import { RestoreWorker } from './restore-worker.js'
import { mergeUpdates } from '../merge-updates.js'

/** What a restore did. */
export interface RestoreResult {
  /** The version restored. */
  restored: VersionInfo
  /** The version taken just before, holding the state the restore replaced: restore it to undo. */
  beforeRestore: VersionInfo
}

/** Holds a room open while the service works on it; receives nothing. */
const internalSubscriber = (): Subscriber => ({ kind: 'driftless', send() {}, sendWire() {}, documentDeleted() {} })

/** Checks a version name: 1–256 bytes of UTF-8. */
export const checkVersionName = (name: unknown): string => {
  if (typeof name !== 'string' || name.length === 0 || Buffer.byteLength(name) > MAX_VERSION_NAME_BYTES) {
    throw new RelayError(ErrorCode.invalidVersionName, `a version name must be 1–${MAX_VERSION_NAME_BYTES} bytes of UTF-8`)
  }
  return name
}

/**
 * Version history of the relay's documents: list, take, read and restore versions. A restore is computed
 * on a worker thread (`restoreUpdate`, see `RestoreWorker`) and then accepted like a client's update: fanned
 * out, published to other nodes, committed, and recorded under the restorer's name.
 */
export class VersionService {
  /** One version operation per document at a time, so "before restore" and the restore stay together. */
  private readonly chains = new Map<string, Promise<unknown>>()
  private readonly restorer: RestoreWorker

  constructor(
    private readonly storage: RelayStorage,
    private readonly rooms: Rooms,
    private readonly options: ResolvedVersionOptions,
    private readonly logger: Logger,
  ) {
    this.restorer = new RestoreWorker(options.restoreTimeoutMs)
  }

  /** The document's versions, newest first; `documentDeleted` for a deleted document. */
  async list(docId: string): Promise<VersionInfo[]> {
    await this.refuseDeleted(docId)
    return this.storage.versions.list(docId)
  }

  /** One version with its content, or `versionNotFound`; `documentDeleted` for a deleted document. */
  async get(docId: string, id: number): Promise<{ info: VersionInfo; update: Uint8Array }> {
    await this.refuseDeleted(docId)
    const found = Number.isSafeInteger(id) && id > 0 ? await this.storage.versions.get(docId, id) : undefined
    if (found === undefined) throw new RelayError(ErrorCode.versionNotFound, `document has no version ${id}`)
    return found
  }

  /** Takes a named version of the document's current state. */
  async createNamed(docId: string, name: unknown, createdBy: string): Promise<VersionInfo> {
    const checked = checkVersionName(name)
    return this.serial(docId, () => this.withRoom(docId, room => this.take(docId, 'named', checked, createdBy, room.state())))
  }

  /** A deleted document's versions are out of reach until an admin restores the document. */
  private async refuseDeleted(docId: string): Promise<void> {
    if ((await this.storage.tombstone(docId)) !== null) throw new RelayError(ErrorCode.documentDeleted, 'the document was deleted')
  }

  /** Takes an automatic version (the scheduler calls this). */
  createAutomatic(docId: string): Promise<VersionInfo> {
    return this.serial(docId, () => this.take(docId, 'automatic', null, 'relay', this.currentState(docId)))
  }

  /**
   * Restores version `id`: keeps the current state as a `beforeRestore` version, then commits the update that
   * makes the content equal to the version's. Resolves once that update is durable.
   */
  restore(docId: string, id: number, by: string): Promise<RestoreResult> {
    return this.serial(docId, async () => {
      const version = await this.get(docId, id)
      return this.withRoom(docId, async room => {
        const state = room.state()
        const update = await this.restorer.compute(state, version.update)
        const name = `Before restoring ${version.info.name ?? `version ${id}`}`.slice(0, MAX_VERSION_NAME_BYTES / 4)
        const beforeRestore = await this.take(docId, 'beforeRestore', name, by, state)
        // Updates accepted meanwhile are concurrent with the restore, which is computed against `state`: Yjs merges them.
        if (!isEmptyUpdate(update)) await this.commit(room, update, by)
        return { restored: version.info, beforeRestore }
      })
    })
  }

  private take(docId: string, kind: VersionKind, name: string | null, createdBy: string, state: Uint8Array | Promise<Uint8Array>): Promise<VersionInfo> {
    return Promise.resolve(state).then(update => this.storage.versions.create({
      docId, kind, name, createdBy, update, createdAt: Date.now(), keepAutomatic: this.options.keepAutomatic,
    }))
  }

  /** The state of an open document, or the stored one merged (automatic versions need not open a room). */
  private async currentState(docId: string): Promise<Uint8Array> {
    const room = this.rooms.get(docId)
    if (room !== undefined && room.loaded && !room.evicted) return room.state()
    const rows = await this.storage.load(docId)
    return rows.length === 0 ? EMPTY_UPDATE : rows.length === 1 ? rows[0]!.update : mergeUpdates(rows.map(row => row.update))
  }

  private commit(room: Room, update: Uint8Array, author: string): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      const target: AckTarget = { committed: () => resolve(), commitFailed: (_docId, _ackId, error) => reject(error) }
      this.rooms.accept(room, update, internalSubscriber(), target, 1, SERVER_ORIGIN, author)
    })
  }

  private async withRoom<T>(docId: string, work: (room: Room) => Promise<T>): Promise<T> {
    const subscriber = internalSubscriber()
    const room = this.rooms.join(docId, subscriber)
    try {
      try {
        await room.ready
      } catch (cause) {
        if (cause instanceof RelayError) throw cause
        throw new RelayError(ErrorCode.storageFailure, 'the document could not be loaded', { cause })
      }
      return await work(room)
    } finally {
      this.rooms.leave(room, subscriber)
    }
  }

  /** Resolves once every version operation started so far has finished. */
  async settle(): Promise<void> {
    while (this.chains.size > 0) await Promise.allSettled([...this.chains.values()])
  }

  /** After `settle`: ends the restore thread. */
  close(): Promise<void> {
    return this.restorer.close()
  }

  private serial<T>(docId: string, work: () => Promise<T>): Promise<T> {
    const previous = this.chains.get(docId) ?? Promise.resolve()
    const next = previous.catch(() => {}).then(work)
    this.chains.set(docId, next)
    const forget = (): void => {
      if (this.chains.get(docId) === next) this.chains.delete(docId)
    }
    next.then(forget, (error: unknown) => {
      forget()
      if (!(error instanceof RelayError)) this.logger.error({ err: error, docId }, 'version operation failed')
    })
    return next
  }
}
