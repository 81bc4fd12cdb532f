import type { Rooms } from '../rooms.js'
import type { RelayStorage } from '../storage/types.js'
import type { VersionService } from '../versions/service.js'

/** What admin routes work with. */
export interface AdminContext {
  storage: RelayStorage
  rooms: Rooms
  versions: VersionService
  /** Largest request body accepted. */
  maxBodyBytes: number
  deleteDocument(docId: string): Promise<void>
  restoreDocument(docId: string): Promise<boolean>
}
