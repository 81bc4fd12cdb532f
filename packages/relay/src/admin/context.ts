import type { Rooms } from '../rooms.js'
import type { RelayStorage } from '../storage/types.js'

/** What admin routes work with. */
export interface AdminContext {
  storage: RelayStorage
  rooms: Rooms
  /** Largest request body accepted. */
  maxBodyBytes: number
  deleteDocument(docId: string): Promise<void>
  restoreDocument(docId: string): Promise<boolean>
}
