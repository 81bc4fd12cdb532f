import type { Replica } from '@driftless/replica'
import { act, cleanup, render, screen, waitFor } from '@testing-library/react'
import { StrictMode, useEffect, type ReactNode } from 'react'
import { afterEach, describe, expect, it } from 'vitest'
import { ReactBindingError, ReplicaProvider, openReplicaCount, useReplica, useReplicaError, useStatus, useSynced } from '../src/index.js'
import { useReplicaOf } from '../src/context.js'
import { countingStorage, countingWebSocket, noReplicasLeft, startRelay, uniqueDoc } from './support.js'

afterEach(async () => {
  cleanup()
  await noReplicasLeft()
})

/** Shows the provider's status and hands its replica to the test. */
function Probe({ onReplica }: { onReplica?: (replica: Replica) => void }): ReactNode {
  const replica = useReplicaOf()
  const status = useStatus()
  const synced = useSynced()
  useEffect(() => { if (replica) onReplica?.(replica) }, [replica, onReplica])
  return <p data-testid="status">{status}{synced ? ' (synced)' : ''}</p>
}

describe('ReplicaProvider', () => {
  it('under StrictMode loads storage and opens the socket once, and closes the socket after unmount', async () => {
    const relay = await startRelay()
    const storage = countingStorage()
    const sockets = countingWebSocket()
    const seen = new Set<Replica>()
    const { unmount } = render(
      <StrictMode>
        <ReplicaProvider docId={uniqueDoc('strict')} relay={relay.url} storage={storage} WebSocket={sockets.WebSocket} crossTab={false}>
          <Probe onReplica={(replica) => seen.add(replica)} />
        </ReplicaProvider>
      </StrictMode>,
    )
    await waitFor(() => expect(screen.getByTestId('status').textContent).toBe('synced (synced)'))
    expect({ replicas: seen.size, open: openReplicaCount(), loads: storage.loads, opened: sockets.opened, closed: sockets.closed })
      .toEqual({ replicas: 1, open: 1, loads: 1, opened: 1, closed: 0 })

    unmount()
    await noReplicasLeft()
    await waitFor(() => expect(sockets.closed).toBe(1))
    expect({ loads: storage.loads, opened: sockets.opened }).toEqual({ loads: 1, opened: 1 })
  })

  it('shares one replica between components showing the same document and closes it after the last one goes', async () => {
    const docId = uniqueDoc('shared')
    const storage = countingStorage()
    const seen: Replica[] = []
    const Both = ({ showSecond }: { showSecond: boolean }): ReactNode => (
      <>
        <ReplicaProvider docId={docId} storage={storage}><Probe onReplica={(r) => seen.push(r)} /></ReplicaProvider>
        {showSecond && <ReplicaProvider docId={docId} storage={storage}><Probe onReplica={(r) => seen.push(r)} /></ReplicaProvider>}
      </>
    )
    const { rerender, unmount } = render(<Both showSecond />)
    await waitFor(() => expect(seen).toHaveLength(2))
    expect(seen[0]).toBe(seen[1])
    expect(openReplicaCount()).toBe(1)

    rerender(<Both showSecond={false} />)
    await new Promise((resolve) => setTimeout(resolve, 20))
    expect(openReplicaCount()).toBe(1) // the first component still uses it

    unmount()
    await noReplicasLeft()
    expect(storage.loads).toBe(1)
  })

  it('mounting and unmounting many documents leaves no replica open', async () => {
    const storage = countingStorage()
    const ids = Array.from({ length: 20 }, (_, i) => uniqueDoc(`many-${i}`))
    const { unmount } = render(
      <StrictMode>
        {ids.map((id) => <ReplicaProvider key={id} docId={id} storage={storage}><Probe /></ReplicaProvider>)}
      </StrictMode>,
    )
    await waitFor(() => expect(openReplicaCount()).toBe(20))
    unmount()
    await noReplicasLeft()
    expect(storage.loads).toBe(20)
  })

  it('a document already open with other options reaches onError and useReplicaError as conflicting-options', async () => {
    const docId = uniqueDoc('conflict')
    const errors: Error[] = []
    function ShowError(): ReactNode {
      const { error } = useReplicaError()
      return <p data-testid="error">{error instanceof ReactBindingError ? error.code : 'none'}</p>
    }
    render(
      <>
        <ReplicaProvider docId={docId} storage="memory"><Probe /></ReplicaProvider>
        <ReplicaProvider docId={docId} storage="memory" databaseName="other" onError={(error) => errors.push(error)}><ShowError /></ReplicaProvider>
      </>,
    )
    await waitFor(() => expect(screen.getByTestId('error').textContent).toBe('conflicting-options'))
    expect(errors.map((error) => (error as ReactBindingError).code)).toEqual(['conflicting-options'])
    expect(openReplicaCount()).toBe(1)
  })

  it('a replica error reaches onError and, through useReplicaError({ throwIf }), the nearest error boundary', async () => {
    const relay = await startRelay()
    const caught: Error[] = []
    const reported: Error[] = []
    const { ErrorBoundary } = await import('./error-boundary.js')
    function Thrower(): ReactNode {
      useReplicaError({ throwIf: (error) => (error as { code?: string }).code === 'relay-rejected' })
      return <p>fine</p>
    }
    // A document id over the relay's 512-byte limit: the relay refuses it with a typed error.
    const docId = 'x'.repeat(600)
    render(
      <ReplicaProvider docId={docId} relay={relay.url} storage="memory" WebSocket={countingWebSocket().WebSocket} crossTab={false} onError={(error) => reported.push(error)}>
        <ErrorBoundary onCatch={(error) => caught.push(error)}><Thrower /></ErrorBoundary>
      </ReplicaProvider>,
    )
    await waitFor(() => expect(screen.getByTestId('boundary').textContent).toMatch(/ReplicaError/))
    expect(caught[0]?.name).toBe('ReplicaError')
    expect(reported).toContain(caught[0])
  })

  it('useReplica opens a replica without a provider; hooks take it as an argument', async () => {
    const docId = uniqueDoc('standalone')
    let held: Replica | undefined
    function Standalone(): ReactNode {
      const replica = useReplica({ docId, storage: 'memory' })
      const status = useStatus(replica)
      held = replica
      return <p data-testid="status">{replica ? `open ${status}` : 'opening'}</p>
    }
    const { unmount } = render(<Standalone />)
    await waitFor(() => expect(screen.getByTestId('status').textContent).toBe('open offline'))
    expect(held?.docId).toBe(docId)
    await act(async () => { unmount() })
    await noReplicasLeft()
  })
})
