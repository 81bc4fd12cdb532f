import { openReplica, type Replica } from '@driftless/replica'
import { presence } from '@driftless/replica/presence'
import { act, cleanup, render, screen, waitFor } from '@testing-library/react'
import { StrictMode, useEffect, useLayoutEffect, type ReactNode } from 'react'
import { afterEach, describe, expect, it } from 'vitest'
import * as Y from 'yjs'
import { ReplicaProvider, useLeader, useLoaded, usePending, usePresence, useSaved, useStatus, useSynced, useY } from '../src/index.js'
import { useReplicaOf } from '../src/context.js'
import { countingWebSocket, noReplicasLeft, startRelay, uniqueDoc } from './support.js'

afterEach(async () => {
  cleanup()
  await noReplicasLeft()
})

/** Every indicator hook, rendered as text, and the replica handed to the test. */
function Indicators({ onReplica }: { onReplica: (replica: Replica) => void }): ReactNode {
  const replica = useReplicaOf()
  useEffect(() => { if (replica) onReplica(replica) }, [replica, onReplica])
  const parts = [useStatus(), `pending=${usePending()}`, `saved=${useSaved()}`, `synced=${useSynced()}`, `leader=${useLeader()}`, `loaded=${useLoaded()}`]
  return <p data-testid="indicators">{parts.join(' ')}</p>
}

const indicators = (): string => screen.getByTestId('indicators').textContent ?? ''

describe('indicator hooks', () => {
  it('follow the replica: local edit offline → pending and saved; connected → synced with nothing pending', async () => {
    let replica: Replica | undefined
    const docId = uniqueDoc('indicators')
    const relay = await startRelay()
    const sockets = countingWebSocket()
    render(
      <StrictMode>
        <ReplicaProvider docId={docId} relay={relay.url} storage="memory" WebSocket={sockets.WebSocket} crossTab={false} autoConnect={false}>
          <Indicators onReplica={(r) => { replica = r }} />
        </ReplicaProvider>
      </StrictMode>,
    )
    await waitFor(() => expect(indicators()).toBe('offline pending=0 saved=true synced=false leader=true loaded=true'))

    act(() => { replica!.doc.getText('t').insert(0, 'written offline') })
    await waitFor(() => expect(indicators()).toBe('offline pending=1 saved=true synced=false leader=true loaded=true'))

    act(() => replica!.connect())
    await waitFor(() => expect(indicators()).toBe('synced pending=0 saved=true synced=true leader=true loaded=true'))
    expect(sockets.opened).toBe(1)
  })

  it('re-render a component only when the value it reads changes: edits move pending, not status', async () => {
    let replica: Replica | undefined
    let statusRenders = 0
    function StatusOnly(): ReactNode {
      statusRenders++
      return <p data-testid="status">{useStatus()}</p>
    }
    render(
      <ReplicaProvider docId={uniqueDoc('renders')} storage="memory" crossTab={false} autoConnect={false}>
        <Indicators onReplica={(r) => { replica = r }} />
        <StatusOnly />
      </ReplicaProvider>,
    )
    await waitFor(() => expect(indicators()).toBe('offline pending=0 saved=true synced=false leader=true loaded=true'))
    const before = statusRenders
    for (let edit = 0; edit < 5; edit++) act(() => { replica!.doc.getText('t').insert(0, `edit ${edit} `) })
    await waitFor(() => expect(indicators()).toMatch(/^offline pending=[1-9]\d* saved=true synced=false leader=true loaded=true$/))
    expect(statusRenders).toBe(before)
    expect(screen.getByTestId('status').textContent).toBe('offline')
  })
})

describe('useY', () => {
  it('re-renders only when its own type changes, and with a selector only when the selection changes', async () => {
    let replica: Replica | undefined
    const renders = { cards: 0, count: 0 }
    function Cards(): ReactNode {
      const cards = useY((doc) => doc.getArray<string>('cards'))
      renders.cards++
      return <p data-testid="cards">{(cards ?? []).join(',')}</p>
    }
    function Count(): ReactNode {
      const over2 = useY((doc) => doc.getArray<string>('cards'), (cards: Y.Array<string>) => cards.length > 2)
      renders.count++
      return <p data-testid="count">{String(over2)}</p>
    }
    render(
      <ReplicaProvider docId={uniqueDoc('use-y')} storage="memory">
        <Indicators onReplica={(r) => { replica = r }} />
        <Cards />
        <Count />
      </ReplicaProvider>,
    )
    await waitFor(() => expect(indicators()).toContain('loaded=true'))
    const cards = replica!.doc.getArray<string>('cards')
    const before = { ...renders }

    act(() => { replica!.doc.getMap('other').set('k', 'v') })
    expect(renders).toEqual(before) // another type changed: neither re-renders

    act(() => { cards.push(['a']) })
    expect(screen.getByTestId('cards').textContent).toBe('a')
    expect(renders).toEqual({ cards: before.cards + 1, count: before.count }) // selection still false

    act(() => { cards.push(['b', 'c']) })
    expect(screen.getByTestId('count').textContent).toBe('true')
    expect(renders).toEqual({ cards: before.cards + 2, count: before.count + 1 })
  })

  it('shows a change made after it rendered and before it subscribed', () => {
    // React subscribes in a passive effect: a layout effect (or a sync message) can change the type in between.
    const notes = new Y.Doc().getArray<string>('notes')
    function Writer(): ReactNode {
      useLayoutEffect(() => { notes.push(['written before the subscription']) }, [])
      return null
    }
    function Notes(): ReactNode {
      return <p data-testid="notes">{(useY(notes) ?? []).join(',')}</p>
    }
    render(<><Notes /><Writer /></>)
    expect(screen.getByTestId('notes').textContent).toBe('written before the subscription')
  })

  it('sees changes nested inside the type', async () => {
    let replica: Replica | undefined
    function Nested(): ReactNode {
      const value = useY((doc) => doc.getMap<Y.Map<string>>('outer'), (outer) => outer.get('inner')?.get('title'))
      return <p data-testid="title">{value ?? '–'}</p>
    }
    render(
      <ReplicaProvider docId={uniqueDoc('nested')} storage="memory">
        <Indicators onReplica={(r) => { replica = r }} />
        <Nested />
      </ReplicaProvider>,
    )
    await waitFor(() => expect(indicators()).toContain('loaded=true'))
    const inner = new Y.Map<string>()
    act(() => { replica!.doc.getMap<Y.Map<string>>('outer').set('inner', inner) })
    act(() => { inner.set('title', 'deep') })
    expect(screen.getByTestId('title').textContent).toBe('deep')
  })
})

describe('usePresence', () => {
  it('shows the other replica\'s presence through the relay, and setLocalPresence merges into this one\'s', async () => {
    const relay = await startRelay()
    const docId = uniqueDoc('presence')
    const { WebSocket } = countingWebSocket()
    function Names({ name }: { name: string }): ReactNode {
      const { states, clientId, setLocalPresence } = usePresence<{ name: string; color?: string }>()
      useEffect(() => { if (clientId !== undefined) setLocalPresence({ name }) }, [clientId, name, setLocalPresence])
      useEffect(() => { if (clientId !== undefined) setLocalPresence({ color: 'teal' }) }, [clientId, setLocalPresence])
      const names = [...states.values()].map((state) => `${state.name}/${state.color ?? ''}`).sort()
      return <p data-testid={`names-${name}`}>{names.join(' ')}</p>
    }
    render(<ReplicaProvider docId={docId} relay={relay.url} storage="memory" WebSocket={WebSocket} crossTab={false}><Names name="ada" /></ReplicaProvider>)
    // Another device on the same document, outside React.
    const other = openReplica({ docId, relay: relay.url, storage: 'memory', WebSocket, crossTab: false })
    presence(other).setLocalState({ name: 'bob', color: 'red' })
    await waitFor(() => expect(screen.getByTestId('names-ada').textContent).toBe('ada/teal bob/red'))
    await act(() => other.close())
    await waitFor(() => expect(screen.getByTestId('names-ada').textContent).toBe('ada/teal'))
  })
})
