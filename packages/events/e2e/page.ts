/**
 * Test page: a real `@driftless/replica` (IndexedDB storage, cross-tab, no relay) with an event log on its
 * document and IndexedDB checkpoints. The handler appends its effects to localStorage, so the spec can count
 * how many times each event was handled, across tabs and reloads.
 */
import { openReplica } from '@driftless/replica'
import { defineEvent, HandlerScope, indexedDbCheckpoints, openEventLog } from '../src/index.js'

const pinged = defineEvent('pinged', { schema: (d): d is { n: number } => typeof (d as { n?: unknown })?.n === 'number' })
const name = new URLSearchParams(location.search).get('name') ?? 'e2e'

const replica = openReplica({ docId: name, storage: 'indexeddb', channelPrefix: name, databaseName: `replica-${name}` })
await replica.loaded
const effects = (): string[] => JSON.parse(localStorage.getItem(`effects:${name}`) ?? '[]') as string[]
const log = await openEventLog(replica, { events: [pinged], checkpoints: indexedDbCheckpoints(name), heartbeatMs: false })
log.handle('ping', {
  scope: HandlerScope.OriginOnly,
  events: [pinged],
  run: (_event, { idempotencyKey }) => localStorage.setItem(`effects:${name}`, JSON.stringify([...effects(), idempotencyKey])),
})

Object.assign(window, {
  events: {
    deviceId: log.deviceId,
    stream: log.stream,
    isLeader: () => replica.isLeader,
    emit: async (n: number) => {
      const id = log.emit(pinged, { n })
      await replica.whenSaved()
      return id
    },
    effects,
    /** Resolves once the handler has run and saved its checkpoint for everything held now. */
    settled: () => log.whenHandled(),
    count: () => log.events().length,
    retired: () => [...replica.doc.getMap('driftless.events.retired').keys()],
    allStable: () => log.events().every((event) => log.isStable(event)),
  },
})
document.body.dataset.ready = 'true'
