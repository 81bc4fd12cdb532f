import { defineEvent, defineProjection } from '@driftless/events'
import { streamsOf } from '@driftless/events/internal'
import type { Replica } from '@driftless/replica'
import { act, cleanup, render, screen, waitFor } from '@testing-library/react'
import { StrictMode, useEffect, useState, type ReactNode } from 'react'
import { afterEach, beforeAll, describe, expect, it } from 'vitest'
import { ReactBindingError, ReplicaProvider } from '../src/index.js'
import { useReplicaOf } from '../src/context.js'
import { useEmit, useEventLog, useProjection } from '../src/events/index.js'
import { noReplicasLeft, uniqueDoc } from './support.js'

// happy-dom has `navigator.locks === null`, which the events package takes for Web Locks; here there are none
// (the editor's Chromium suite runs with real ones).
beforeAll(() => {
  if ((navigator as { locks?: unknown }).locks === null) Object.defineProperty(navigator, 'locks', { value: undefined, configurable: true })
})

afterEach(async () => {
  cleanup()
  await noReplicasLeft()
})

interface Added { readonly amount: number }
const added = defineEvent('added', { schema: (d): d is Added => typeof d === 'object' && d !== null && typeof (d as Added).amount === 'number' })
/** A counter that may never go above 10: the invariant rejects the event that would. */
const counter = defineProjection({
  name: 'counter',
  initial: 0,
  events: [added],
  reduce: (total, event) => total + event.data.amount,
  invariants: { atMostTen: (total) => total <= 10 },
})

function Counter({ onReplica }: { onReplica?: (replica: Replica) => void }): ReactNode {
  const replica = useReplicaOf()
  useEffect(() => { if (replica) onReplica?.(replica) }, [replica, onReplica])
  const { state, stableState, rejected, ready } = useProjection(counter)
  const emit = useEmit()
  const [lastId, setLastId] = useState('')
  return (
    <div>
      <p data-testid="counter">{`${ready ? 'ready' : 'loading'} state=${state} stable=${stableState} rejected=${rejected.size}`}</p>
      <button type="button" onClick={() => setLastId(emit(added, { amount: 4 }))}>add 4</button>
      <p data-testid="last">{lastId}</p>
    </div>
  )
}

const counterText = (): string => screen.getByTestId('counter').textContent ?? ''

describe('event hooks', () => {
  it('useProjection shows state, stable state and rejections; useEmit appends; StrictMode opens one stream', async () => {
    let replica: Replica | undefined
    render(
      <StrictMode>
        <ReplicaProvider docId={uniqueDoc('events')} storage="memory">
          <Counter onReplica={(r) => { replica = r }} />
        </ReplicaProvider>
      </StrictMode>,
    )
    expect(counterText()).toBe('loading state=0 stable=0 rejected=0')
    await waitFor(() => expect(counterText()).toMatch(/^ready/))
    const button = screen.getByRole('button')
    act(() => button.click())
    act(() => button.click())
    act(() => button.click()) // 12 > 10: rejected on every replica
    // One session, one open log: a single stream despite StrictMode's remount. Alone on the document, every event is stable.
    await waitFor(() => expect(counterText()).toBe('ready state=8 stable=8 rejected=1'))
    expect(streamsOf(replica!.doc).size).toBe(1)
    expect(screen.getByTestId('last').textContent).toMatch(/:3$/)
  })

  it('useEmit before the log is open throws not-ready; useEventLog is undefined until then', async () => {
    let thrown: unknown
    let logSeen: unknown = 'never rendered'
    function Early(): ReactNode {
      const log = useEventLog()
      const emit = useEmit()
      if (logSeen === 'never rendered') {
        logSeen = log
        try { emit(added, { amount: 1 }) } catch (error) { thrown = error }
      }
      return <p data-testid="log">{log ? 'open' : 'closed'}</p>
    }
    render(<ReplicaProvider docId={uniqueDoc('early')} storage="memory"><Early /></ReplicaProvider>)
    expect(logSeen).toBeUndefined()
    expect(thrown).toBeInstanceOf(ReactBindingError)
    expect((thrown as ReactBindingError).code).toBe('not-ready')
    await waitFor(() => expect(screen.getByTestId('log').textContent).toBe('open'))
  })
})
