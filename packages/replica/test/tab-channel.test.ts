import { afterEach, describe, expect, it } from 'vitest'
import * as Y from 'yjs'
import { waitUntil } from '@driftless/testkit/support'
import { LocalStore } from '../src/local-store.js'
import { PendingChanges } from '../src/pending/changes.js'
import { TabChannel } from '../src/tabs/channel.js'
import { createMemoryStorage } from '../src/index.js'

const opened: Array<() => void> = []

/** One tab's document on the channel `name` (Node's BroadcastChannel), with its own pending changes. */
const tab = (name: string): Y.Doc => {
  const doc = new Y.Doc()
  const storage = createMemoryStorage()
  const pending = new PendingChanges(doc, storage, 'doc', new LocalStore(doc, storage, 'doc', 500))
  const channel = new TabChannel(name, doc, pending, () => undefined)
  opened.push(() => channel.close())
  return doc
}

afterEach(() => {
  for (const close of opened.splice(0)) close()
})

describe('the tab channel', () => {
  it('a tab that gets a change whose predecessor it missed asks the tabs and catches up', async () => {
    const name = `gap-${Math.random()}`
    const follower = tab(name)
    const writer = tab(name)
    // The writer's two changes, made while its channel was not listening, reach the follower out of band:
    // only the second, which depends on the first.
    const source = new Y.Doc()
    source.clientID = writer.clientID + 1
    source.getArray<string>('a').push(['first'])
    const before = Y.encodeStateVector(source)
    source.getArray<string>('a').push(['second'])
    Y.applyUpdate(writer, Y.encodeStateAsUpdate(source), 'elsewhere')
    const raw = new BroadcastChannel(name)
    raw.postMessage({ t: 'update', update: Y.encodeStateAsUpdate(source, before) })
    raw.close()

    await waitUntil(() => follower.getArray('a').length === 2, 5_000, 'the follower holds both changes')
    expect(follower.getArray('a').toArray()).toEqual(['first', 'second'])
  })
})
