import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { pino } from 'pino'
import type { ResolvedVersionOptions } from '../src/versions/options.js'
import { VersionScheduler } from '../src/versions/scheduler.js'
import type { VersionService } from '../src/versions/service.js'

const write = (docId: string) => ({ docId, update: new Uint8Array([0, 0]) })

describe('VersionScheduler (one timer for every document)', () => {
  let taken: string[]
  const make = (afterIdleMs: number, everyUpdates: number): VersionScheduler => {
    const service = { createAutomatic: async (docId: string) => { taken.push(docId) } } as unknown as VersionService
    return new VersionScheduler(service, { afterIdleMs, everyUpdates } as ResolvedVersionOptions, pino({ level: 'silent' }))
  }
  beforeEach(() => {
    taken = []
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'performance'] })
  })
  afterEach(() => vi.useRealTimers())

  it('takes each document afterIdleMs after its own last commit, in that order', () => {
    const scheduler = make(100, 0)
    scheduler.committed([write('a'), write('b')])
    vi.advanceTimersByTime(60)
    scheduler.committed([write('a')])
    vi.advanceTimersByTime(39)
    expect(taken).toEqual([])
    vi.advanceTimersByTime(1)
    expect(taken).toEqual(['b'])
    expect(scheduler.tracked).toBe(1)
    vi.advanceTimersByTime(59)
    expect(taken).toEqual(['b'])
    vi.advanceTimersByTime(1)
    expect(taken).toEqual(['b', 'a'])
    expect(scheduler.tracked).toBe(0)
    // A later commit arms it again.
    scheduler.committed([write('b')])
    vi.advanceTimersByTime(100)
    expect(taken).toEqual(['b', 'a', 'b'])
  })

  it('takes a document at once after everyUpdates commits, and then not again when idle', () => {
    const scheduler = make(100, 3)
    scheduler.committed([write('a'), write('a')])
    scheduler.committed([write('a'), write('c')])
    expect(taken).toEqual(['a'])
    vi.advanceTimersByTime(100)
    expect(taken).toEqual(['a', 'c'])
  })

  it('takes nothing once stopped', () => {
    const scheduler = make(100, 0)
    scheduler.committed([write('a')])
    scheduler.stop()
    vi.advanceTimersByTime(200)
    scheduler.committed([write('a')])
    vi.advanceTimersByTime(200)
    expect(taken).toEqual([])
  })
})
