// @vitest-environment node
import { afterAll, beforeAll, expect, it } from 'vitest'

/**
 * A server has none of these. Yjs and lib0 feature-test `window`, `document` and `navigator` with `typeof` at
 * import, so those are simply absent here; storage and tab APIs are traps that record any access and throw.
 */
const absent = ['window', 'document', 'navigator'] as const
const trapped = ['indexedDB', 'BroadcastChannel', 'localStorage', 'WebSocket'] as const
const browserOnly = [...absent, ...trapped]
const touched: string[] = []
const saved = new Map<string, PropertyDescriptor | undefined>()

beforeAll(() => {
  for (const name of browserOnly) saved.set(name, Object.getOwnPropertyDescriptor(globalThis, name))
  for (const name of absent) delete (globalThis as Record<string, unknown>)[name]
  for (const name of trapped) {
    Object.defineProperty(globalThis, name, {
      configurable: true,
      get() {
        touched.push(name)
        throw new Error(`server code touched ${name}`)
      },
    })
  }
})
afterAll(() => {
  for (const name of browserOnly) {
    const descriptor = saved.get(name)
    if (descriptor) Object.defineProperty(globalThis, name, descriptor)
    else delete (globalThis as Record<string, unknown>)[name]
  }
})

it('replica, events, protocol and react import and render to a string on Node without touching browser globals', async () => {
  const [{ renderToString }, React, bindings, events, replica, protocol] = await Promise.all([
    import('react-dom/server'),
    import('react'),
    import('../src/index.js'),
    import('../src/events/index.js'),
    import('@driftless/replica'),
    import('@driftless/protocol'),
  ])
  expect(typeof replica.openReplica).toBe('function')
  expect(typeof protocol).toBe('object')
  const { defineEvent, defineProjection } = await import('@driftless/events')
  const noted = defineEvent('noted', { schema: (d): d is string => typeof d === 'string' })
  const notes = defineProjection({ name: 'notes', initial: [] as string[], events: [noted], reduce: (list, event) => [...list, event.data] })

  function Page(): React.ReactNode {
    const status = bindings.useStatus()
    const text = bindings.useY((doc) => doc.getText('body'))
    const { states } = bindings.usePresence()
    const { state, ready } = events.useProjection(notes)
    events.useEmit()
    const parts = [status, `pending=${bindings.usePending()}`, `saved=${bindings.useSaved()}`, `synced=${bindings.useSynced()}`,
      `leader=${bindings.useLeader()}`, `loaded=${bindings.useLoaded()}`, `text=${text ?? '-'}`, `peers=${states.size}`,
      `notes=${state.length}`, `ready=${ready}`, `error=${bindings.useReplicaError().error?.message ?? 'none'}`]
    return React.createElement('p', null, parts.join(' '))
  }
  const html = renderToString(
    React.createElement(React.StrictMode, null,
      React.createElement(bindings.ReplicaProvider, { docId: 'ssr', relay: 'ws://127.0.0.1:1' }, React.createElement(Page))),
  )
  expect(html).toBe('<p>offline pending=0 saved=false synced=false leader=false loaded=false text=- peers=0 notes=0 ready=false error=none</p>')
  expect(bindings.openReplicaCount()).toBe(0)
  expect(touched).toEqual([])
})
