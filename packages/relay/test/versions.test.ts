import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import * as Y from 'yjs'
import { ErrorCode } from '@driftless/protocol'
import { versionToJson } from '@driftless/history'
import { createPostgresStorage, signToken, type Relay, type RelayOptions, type RelayStorage } from '../src/index.js'
import { createSqliteStorage } from '../src/storage/sqlite.js'
import { waitUntil } from '@driftless/testkit/support'
import { startRelay } from './helpers.js'
import { startPostgres, type PostgresServer } from './services/postgres-server.js'
import { SyncedDoc } from './versions-support.js'

let postgres: PostgresServer
let tables = 0
const dirs: string[] = []
beforeAll(async () => {
  postgres = await startPostgres()
})
afterAll(async () => {
  await postgres?.destroy()
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true })
})

const storages: Record<string, () => RelayStorage> = {
  sqlite: () => {
    const dir = mkdtempSync(join(tmpdir(), 'driftless-versions-'))
    dirs.push(dir)
    return createSqliteStorage({ path: join(dir, 'relay.db') })
  },
  postgres: () => createPostgresStorage({ url: postgres.url, table: `versions${++tables}`, poolSize: 4 }),
}

/** How each root kind is built up, changed after the version, and compared. */
const rootCases: { kind: string; build(doc: Y.Doc): void; change(doc: Y.Doc): void; content(doc: Y.Doc): unknown }[] = [
  {
    kind: 'Map',
    build: doc => { doc.getMap('m').set('title', 'v1'); doc.getMap('m').set('size', 3) },
    change: doc => { doc.getMap('m').set('title', 'v2'); doc.getMap('m').delete('size'); doc.getMap('m').set('new', true) },
    content: doc => doc.getMap('m').toJSON(),
  },
  {
    kind: 'Array',
    build: doc => doc.getArray('a').insert(0, [1, 'two', new Y.Map([['card', 'x']])]),
    change: doc => { doc.getArray('a').delete(0, 1); doc.getArray('a').push([4]); (doc.getArray('a').get(1) as Y.Map<unknown>).set('card', 'y') },
    content: doc => doc.getArray('a').toJSON(),
  },
  {
    kind: 'Text',
    build: doc => { doc.getText('t').insert(0, 'Hello world', {}); doc.getText('t').format(0, 5, { bold: true }) },
    change: doc => { doc.getText('t').delete(0, 6); doc.getText('t').insert(0, 'Bye ', { italic: true }); doc.getText('t').format(4, 5, { bold: true }) },
    content: doc => doc.getText('t').toString() + JSON.stringify(doc.getText('t').toDelta().map((op: { attributes?: unknown }) => op.attributes ?? null)),
  },
  {
    kind: 'XmlFragment',
    build: doc => {
      const paragraph = new Y.XmlElement('paragraph')
      paragraph.setAttribute('align', 'left')
      paragraph.insert(0, [new Y.XmlText('first')])
      doc.getXmlFragment('prosemirror').insert(0, [paragraph])
    },
    change: doc => {
      const fragment = doc.getXmlFragment('prosemirror')
      ;(fragment.get(0) as Y.XmlElement).setAttribute('align', 'right')
      fragment.insert(1, [new Y.XmlElement('horizontalRule')])
    },
    content: doc => doc.getXmlFragment('prosemirror').toString(),
  },
  {
    kind: 'nested',
    build: doc => { const list = new Y.Array<unknown>(); list.push([new Y.Text('note')]); doc.getMap('nested').set('list', list) },
    change: doc => { ((doc.getMap('nested').get('list') as Y.Array<unknown>).get(0) as Y.Text).insert(4, ' changed') },
    content: doc => doc.getMap('nested').toJSON(),
  },
]

for (const [storageName, makeStorage] of Object.entries(storages)) {
  describe(`versions on ${storageName}`, () => {
    let relay: Relay
    const clients: SyncedDoc[] = []
    const start = async (options: RelayOptions = {}): Promise<Relay> => {
      relay = await startRelay({ storage: makeStorage(), ...options })
      return relay
    }
    const open = async (docId: string, token = ''): Promise<SyncedDoc> => {
      const client = await SyncedDoc.open(relay.url, docId, token)
      clients.push(client)
      return client
    }
    afterEach(async () => {
      for (const client of clients.splice(0)) client.close()
      await relay?.close()
    })

    for (const root of rootCases) {
      it(`${root.kind}: restore makes the content equal to the version's, and restoring "before restore" undoes it`, async () => {
        await start()
        const a = await open('doc')
        const b = await open('doc')
        await a.change(root.build)
        const version = await relay.versions.createNamed('doc', 'v1', 'alice')
        const expected = root.content(a.doc)
        await a.change(root.change)
        const changed = root.content(a.doc)
        expect(changed).not.toEqual(expected)

        const { beforeRestore } = await relay.versions.restore('doc', version.id, 'alice')
        await waitUntil(() => { b.pull(); return JSON.stringify(root.content(b.doc)) === JSON.stringify(expected) }, 10_000, 'restore reaches b')
        a.pull()
        expect(root.content(a.doc)).toEqual(expected)
        expect(beforeRestore).toMatchObject({ kind: 'beforeRestore', name: 'Before restoring v1', createdBy: 'alice' })

        await relay.versions.restore('doc', beforeRestore.id, 'alice')
        await waitUntil(() => { b.pull(); return JSON.stringify(root.content(b.doc)) === JSON.stringify(changed) }, 10_000, 'undo reaches b')
        a.pull()
        expect(root.content(a.doc)).toEqual(changed)
      })
    }

    it('a restore is stored: a relay reopened on the same storage serves the restored content', async () => {
      const storage = makeStorage()
      relay = await startRelay({ storage })
      const a = await open('doc')
      await a.change(doc => doc.getText('t').insert(0, 'old'))
      const version = await relay.versions.createNamed('doc', 'old', 'alice')
      await a.change(doc => doc.getText('t').insert(3, ' and new'))
      await relay.versions.restore('doc', version.id, 'alice')
      a.close()
      await relay.close()
      relay = await startRelay({ storage })
      const fresh = await open('doc')
      expect(fresh.doc.getText('t').toString()).toBe('old')
      await relay.close()
      await storage.close()
    })

    it('attribution: the authors since the previous version are the tokens\' subs, anonymous without one', async () => {
      const secret = 'versions-secret'
      await start({ auth: { secret } })
      const docs = { doc: 'write' as const }
      const alice = await open('doc', await signToken({ secret, docs, subject: 'alice' }))
      const bob = await open('doc', await signToken({ secret, docs, subject: 'bob' }))
      const nobody = await open('doc', await signToken({ secret, docs }))
      await alice.change(doc => doc.getMap('m').set('a', 1))
      await bob.change(doc => doc.getMap('m').set('b', 1))
      const first = await relay.versions.createNamed('doc', 'first', 'alice')
      expect(first.authors).toEqual(['alice', 'bob'])
      await nobody.change(doc => doc.getMap('m').set('c', 1))
      const second = await relay.versions.createNamed('doc', 'second', 'bob')
      expect(second.authors).toEqual(['anonymous'])
      expect((await relay.versions.list('doc')).map(info => [info.name, info.authors])).toEqual([['second', ['anonymous']], ['first', ['alice', 'bob']]])
    })

    it('automatic versions: after the document goes quiet, and every N updates, with retention', async () => {
      await start({ versionAfterIdleMs: 50, versionEveryUpdates: 3, keepVersions: { automatic: 2 } })
      const a = await open('doc')
      await a.change(doc => doc.getMap('m').set('k', 0))
      await waitUntil(async () => (await relay.versions.list('doc')).length === 1, 10_000, 'idle version')
      const [idle] = await relay.versions.list('doc')
      expect(idle).toMatchObject({ kind: 'automatic', name: null, createdBy: 'relay', authors: ['anonymous'] })
      const named = await relay.versions.createNamed('doc', 'keep me', 'alice')
      for (let i = 1; i <= 9; i++) await a.change(doc => doc.getMap('m').set('k', i))
      await waitUntil(async () => {
        const automatic = (await relay.versions.list('doc')).filter(info => info.kind === 'automatic')
        if (automatic.length !== 2) return false
        // The newest automatic version holds the last edit.
        const newest = await relay.versions.get('doc', automatic[0]!.id)
        return (versionToJson(newest.update).m as { k: number }).k === 9
      }, 10_000, 'retention of automatic versions')
      const kinds = (await relay.versions.list('doc')).map(info => info.kind)
      expect(kinds.filter(kind => kind === 'automatic')).toHaveLength(2)
      expect(await relay.versions.get('doc', named.id)).toMatchObject({ info: { name: 'keep me' } })
      await expect(relay.versions.get('doc', idle!.id)).rejects.toMatchObject({ code: ErrorCode.versionNotFound })
    })

    it('bad input: unknown ids, another document\'s version, bad names — typed errors, nothing changed', async () => {
      await start()
      const a = await open('doc')
      const other = await open('other')
      await a.change(doc => doc.getText('t').insert(0, 'mine'))
      await other.change(doc => doc.getText('t').insert(0, 'theirs'))
      const theirs = await relay.versions.createNamed('other', 'theirs', 'bob')
      for (const id of [987654, 0, -1, 1.5, Number.NaN, theirs.id]) {
        await expect(relay.versions.restore('doc', id, 'alice')).rejects.toMatchObject({ code: ErrorCode.versionNotFound })
      }
      for (const name of ['', 'x'.repeat(257), 'é'.repeat(129), 42, null]) {
        await expect(relay.versions.createNamed('doc', name, 'alice')).rejects.toMatchObject({ code: ErrorCode.invalidVersionName })
      }
      expect(await relay.versions.list('doc')).toEqual([])
      expect(await relay.versions.createNamed('doc', 'é'.repeat(128), 'alice')).toMatchObject({ name: 'é'.repeat(128) })
      const check = await open('doc')
      expect(check.doc.getText('t').toString()).toBe('mine')
      const checkOther = await open('other')
      expect(checkOther.doc.getText('t').toString()).toBe('theirs')
    })

    it('a deleted document\'s versions are refused with documentDeleted, and other documents keep theirs', async () => {
      await start()
      const a = await open('doc')
      const other = await open('other')
      await a.change(doc => doc.getText('t').insert(0, 'mine'))
      await other.change(doc => doc.getText('t').insert(0, 'theirs'))
      const mine = await relay.versions.createNamed('doc', 'mine', 'alice')
      const theirs = await relay.versions.createNamed('other', 'theirs', 'bob')
      await relay.deleteDocument('doc')

      await expect(relay.versions.list('doc')).rejects.toMatchObject({ code: ErrorCode.documentDeleted })
      await expect(relay.versions.get('doc', mine.id)).rejects.toMatchObject({ code: ErrorCode.documentDeleted })
      await expect(relay.versions.createNamed('doc', 'again', 'alice')).rejects.toMatchObject({ code: ErrorCode.documentDeleted })
      await expect(relay.versions.restore('doc', mine.id, 'alice')).rejects.toMatchObject({ code: ErrorCode.documentDeleted })
      expect(await relay.versions.list('other')).toEqual([theirs])
    })
  })
}
