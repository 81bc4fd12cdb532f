import type { StandardSchemaV1 } from '@standard-schema/spec'
import * as Y from 'yjs'
import { describe, expect, it } from 'vitest'
import { defineEvent, defineProjection, EventsError, openEventLog, streamsOfForTests } from './support.js'

/** A minimal Standard Schema validator, as zod or valibot would provide. */
const titleSchema: StandardSchemaV1<unknown, { title: string }> = {
  '~standard': {
    version: 1,
    vendor: 'test',
    validate: (value) =>
      typeof value === 'object' && value !== null && typeof (value as { title?: unknown }).title === 'string'
        ? { value: value as { title: string } }
        : { issues: [{ message: 'title must be a string', path: ['title'] }] },
  },
}

const isV1 = (d: unknown): d is { name: string } => typeof (d as { name?: unknown })?.name === 'string'
const isV3 = (d: unknown): d is { title: string; tags: string[] } =>
  typeof (d as { title?: unknown })?.title === 'string' && Array.isArray((d as { tags?: unknown }).tags)

const renamedV1 = defineEvent('card.renamed', { schema: isV1 })
const renamedV3 = defineEvent('card.renamed', {
  v: 3,
  schema: isV3,
  upcast: {
    1: (d: { name: string }) => ({ title: d.name }),
    2: (d: { title: string }) => ({ title: d.title, tags: [] }),
  },
})

const titles = defineProjection({
  name: 'titles',
  initial: [] as string[],
  events: [renamedV3],
  reduce: (state, event) => [...state, `${event.data.title}(${event.data.tags.length})@v${event.v}`],
})

describe('definitions', () => {
  it('refuse invalid data at emit with a typed error, and write nothing', async () => {
    const doc = new Y.Doc()
    const log = await openEventLog(doc, { heartbeatMs: false })
    const titled = defineEvent('titled', { schema: titleSchema })
    const before = Y.encodeStateAsUpdate(doc).length
    const attempt = (): string => log.emit(titled, { title: 42 } as unknown as { title: string })
    expect(attempt).toThrow(EventsError)
    try { attempt() } catch (error) {
      expect((error as EventsError).code).toBe('invalid-event')
      expect((error as EventsError).issues[0]?.message).toBe('title must be a string')
    }
    expect(() => log.emit(renamedV1, { nom: 'x' } as unknown as { name: string })).toThrow(/guard/)
    expect(Y.encodeStateAsUpdate(doc).length).toBe(before)
    expect(log.events()).toEqual([])
    log.emit(titled, { title: 'ok' })
    expect(log.events().map((event) => event.data)).toEqual([{ title: 'ok' }])
    await log.close()
  })

  it('refuse asynchronous schemas, bad versions and conflicting definitions', async () => {
    const asyncSchema: StandardSchemaV1<unknown, unknown> = { '~standard': { version: 1, vendor: 'test', validate: async (value) => ({ value }) } }
    const log = await openEventLog(new Y.Doc(), { heartbeatMs: false })
    expect(() => log.emit(defineEvent('later', { schema: asyncSchema }), {})).toThrow(expect.objectContaining({ code: 'async-schema' }))
    expect(() => defineEvent('bad', { v: 0, schema: isV1 })).toThrow(expect.objectContaining({ code: 'invalid-definition' }))
    log.register(renamedV3)
    expect(() => log.register(renamedV1)).toThrow(expect.objectContaining({ code: 'conflicting-definition' }))
    await log.close()
  })
})

describe('versions', () => {
  it('upcast v1 data to v3 at read time, leaving the stored log untouched', async () => {
    const doc = new Y.Doc()
    const old = await openEventLog(doc, { heartbeatMs: false })
    old.emit(renamedV1, { name: 'first' })
    await old.close()
    const current = await openEventLog(doc, { events: [renamedV3], heartbeatMs: false })
    expect(current.events().map((event) => [event.v, event.data])).toEqual([[3, { title: 'first', tags: [] }]])
    current.emit(renamedV3, { title: 'second', tags: ['x'] })
    expect(current.projection(titles).state).toEqual(['first(0)@v3', 'second(1)@v3'])
    const stored = [...streamsOfForTests(doc).values()].flatMap((array) => array.toArray())
    expect(stored).toContainEqual([1, 'card.renamed', 1, { name: 'first' }])
    await current.close()
  })

  it('park unknown types and newer versions (behindSchema), then resume them in order after an upgrade', async () => {
    const doc = new Y.Doc()
    const writer = await openEventLog(doc, { heartbeatMs: false })
    const archived = defineEvent('card.archived', { schema: (_d): _d is { title: string } => true })
    writer.emit(renamedV3, { title: 'a', tags: [] })
    writer.emit(archived, { title: 'gone' })
    writer.emit(renamedV3, { title: 'b', tags: [] })
    await writer.close()

    const reader = await openEventLog(doc, { events: [renamedV1], heartbeatMs: false })
    const seenV1 = defineProjection({
      name: 'names',
      initial: [] as string[],
      events: [renamedV1],
      reduce: (state, event) => [...state, event.data.name],
    })
    const names = reader.projection(seenV1)
    expect(reader.behindSchema).toBe(true)
    expect(names.behindSchema).toBe(true)
    expect(reader.parked().map((event) => event.type)).toEqual(['card.renamed', 'card.archived', 'card.renamed'])
    expect(names.state).toEqual([])
    expect(names.stableCount).toBe(0) // nothing after a parked event is final

    // The app upgrades: v3 of card.renamed (reads v1 and v3) and the new card.archived.
    const upgraded = await openEventLog(doc, { events: [renamedV1], heartbeatMs: false })
    const withArchive = defineProjection({
      name: 'all',
      initial: [] as string[],
      events: [renamedV3, archived],
      reduce: (state, event) => [...state, event.type === 'card.archived' ? `archived ${event.data.title}` : event.data.title],
    })
    let notified = 0
    const all = upgraded.projection(withArchive)
    all.subscribe(() => notified++)
    expect(upgraded.behindSchema).toBe(false)
    expect(all.state).toEqual(['a', 'archived gone', 'b'])
    expect(notified).toBe(0)

    reader.register(renamedV3)
    expect(reader.behindSchema).toBe(true) // card.archived still unknown
    expect(reader.parked().map((event) => event.type)).toEqual(['card.archived'])
    reader.register(archived)
    expect(reader.behindSchema).toBe(false)
    expect(reader.projection(withArchive).state).toEqual(['a', 'archived gone', 'b'])
    await Promise.all([reader.close(), upgraded.close()])
  })

  it('report an upcaster that throws to onError as upcast-failed, and park the event', async () => {
    const doc = new Y.Doc()
    const noteV1 = defineEvent('note', { schema: (_d): _d is { text: string } => true })
    const brokenV2 = defineEvent('note', {
      v: 2,
      schema: (_d): _d is { text: string; by: string } => true,
      upcast: { 1: () => { throw new Error('no author known') } },
    })
    const writer = await openEventLog(doc, { heartbeatMs: false })
    const id = writer.emit(noteV1, { text: 'one' })
    await writer.close()
    const reported: Array<{ error: unknown; where: unknown }> = []
    const reader = await openEventLog(doc, { heartbeatMs: false, events: [brokenV2], onError: (error, where) => reported.push({ error, where }) })
    expect(reader.parked().map((event) => event.id)).toEqual([id])
    expect(reader.behindSchema).toBe(true)
    expect(reported).toHaveLength(1)
    expect(reported[0]!.where).toEqual({ upcaster: 'note', eventId: id })
    const error = reported[0]!.error as EventsError
    expect(error).toBeInstanceOf(EventsError)
    expect(error.code).toBe('upcast-failed')
    expect((error.cause as Error).message).toBe('no author known')
    await reader.close()
  })

  it('refold a live projection in order when a newer version becomes readable', async () => {
    const doc = new Y.Doc()
    const noteV1 = defineEvent('note', { schema: (_d): _d is { text: string } => true })
    const noteV2 = defineEvent('note', {
      v: 2,
      schema: (_d): _d is { text: string; by: string } => true,
      upcast: { 1: (d: { text: string }) => ({ ...d, by: '?' }) },
    })
    const oldApp = await openEventLog(doc, { heartbeatMs: false })
    const newApp = await openEventLog(doc, { heartbeatMs: false })
    oldApp.emit(noteV1, { text: 'one' })
    newApp.emit(noteV2, { text: 'two', by: 'ann' })
    oldApp.emit(noteV1, { text: 'three' })
    await Promise.all([oldApp.close(), newApp.close()])
    const reader = await openEventLog(doc, { heartbeatMs: false })
    const notes = reader.projection(defineProjection({
      name: 'notes',
      initial: '',
      events: [noteV1],
      reduce: (state, event) => `${state}${event.data.text};`,
    }))
    expect(notes.state).toBe('one;three;')
    expect(notes.behindSchema).toBe(true)
    let changes = 0
    notes.subscribe(() => changes++)
    reader.register(noteV2)
    expect(notes.state).toBe('one;two;three;')
    expect(notes.behindSchema).toBe(false)
    expect(notes.stableState).toBe('one;two;three;')
    expect(changes).toBe(1)
    await reader.close()
  })
})
