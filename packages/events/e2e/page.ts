/**
 * Test page: a bare Y.Doc kept in localStorage (standing in for a replica's storage), an event log with
 * IndexedDB checkpoints, and a handler whose effects are appended to localStorage, so the spec can count
 * how many times each event was handled across reloads.
 */
import * as Y from 'yjs'
import { defineEvent, HandlerScope, indexedDbCheckpoints, openEventLog } from '../src/index.js'

const pinged = defineEvent('pinged', { schema: (d): d is { n: number } => typeof (d as { n?: unknown })?.n === 'number' })
const name = new URLSearchParams(location.search).get('name') ?? 'e2e'

const doc = new Y.Doc()
const saved = localStorage.getItem(`doc:${name}`)
if (saved !== null) Y.applyUpdate(doc, Uint8Array.from(atob(saved), (c) => c.charCodeAt(0)))
doc.on('update', () => {
  localStorage.setItem(`doc:${name}`, btoa(String.fromCharCode(...Y.encodeStateAsUpdate(doc))))
})

const effects = (): string[] => JSON.parse(localStorage.getItem(`effects:${name}`) ?? '[]') as string[]
const log = await openEventLog(doc, { events: [pinged], checkpoints: indexedDbCheckpoints(name), heartbeatMs: false })
log.handle('ping', {
  scope: HandlerScope.OriginOnly,
  events: [pinged],
  run: (_event, { idempotencyKey }) => localStorage.setItem(`effects:${name}`, JSON.stringify([...effects(), idempotencyKey])),
})

Object.assign(window, {
  events: {
    deviceId: log.deviceId,
    stream: log.stream,
    emit: async (n: number) => {
      const id = log.emit(pinged, { n })
      await log.whenHandled()
      return id
    },
    handled: async () => {
      await log.whenHandled()
      return effects()
    },
  },
})
document.body.dataset.ready = 'true'
