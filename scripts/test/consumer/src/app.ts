// A browser app using the published packages. `@ts-expect-error` lines fail the check if a type went `any`.
import { openReplica, Status, type ReplicaOptions } from '@driftless/replica'
import { defineEvent, defineProjection, openEventLog } from '@driftless/events'
import { board, boardEvents, cardAdded } from '@driftless/events/examples/board'
import { ErrorCode, errorCodeName } from '@driftless/protocol'

const options: ReplicaOptions = { docId: 'board-42', relay: 'ws://localhost:8787', storage: 'indexeddb' }
const replica = openReplica(options)
// @ts-expect-error docId is a string
openReplica({ docId: 42 })

const status: Status = replica.status
replica.on('error', (error) => console.warn(errorCodeName(ErrorCode.unauthorized), error.message))

const noted = defineEvent('note.added', { schema: (d): d is { text: string } => typeof d === 'object' && d !== null })
const notes = defineProjection({
  name: 'notes',
  initial: [] as readonly string[],
  events: [noted],
  reduce: (state, event) => [...state, event.data.text],
})

await replica.loaded
const log = await openEventLog(replica, { events: [...boardEvents, noted], projections: [board, notes] })
log.emit(cardAdded, { cardId: 'a', columnId: 'todo', title: 'A', at: Date.now() })
// @ts-expect-error a card needs a title
log.emit(cardAdded, { cardId: 'b', columnId: 'todo', at: Date.now() })
const columns: readonly string[] = log.projection(board).state.order
console.log(status, columns, log.projection(notes).state.length)
