import { afterEach, describe, expect, it } from 'vitest'
import * as Y from 'yjs'
import { BrokerError } from '../adapter-errors.js'
import type { RelayBroker } from '../broker/types.js'

/** A node whose link to the broker's backend the suite can cut and restore, as a network failure would. */
export interface CuttableNode {
  broker: RelayBroker
  /** Cuts the link: nothing reaches the node, its reconnects fail. */
  cut(): Promise<void> | void
  /** Lets the node reconnect. */
  restore(): Promise<void> | void
}

/** What a broker's test gives the contract suite, fresh for each test. */
export interface BrokerFixture {
  /** Opens one more relay node's broker on the shared backend (the same deployment for the whole test). */
  openNode(): Promise<RelayBroker> | RelayBroker
  /** Opens a node whose link can be cut, for the reconnect test. Required when the broker fans out. */
  openCuttableNode?(): Promise<CuttableNode> | CuttableNode
  /** Removes what the fixture created (keys, proxies); called after every broker was closed. */
  cleanup?(): Promise<void>
}

/** Options of {@link runBrokerContract}. */
export interface BrokerContractOptions {
  /**
   * Whether nodes hear each other. `false` for a single-node broker such as `local`: the suite then checks
   * that nothing is ever delivered instead of fan-out. @default true
   */
  fansOut?: boolean
  /** How long a delivery may take before a test fails. @default 10_000 */
  timeoutMs?: number
}

/** A real Yjs update (brokers may refuse anything else) carrying `text`. */
const updateOf = (text: string): Uint8Array => {
  const doc = new Y.Doc()
  doc.getText('t').insert(0, text)
  return Y.encodeStateAsUpdate(doc)
}

const textOf = (update: Uint8Array): string => {
  const doc = new Y.Doc()
  Y.applyUpdate(doc, update)
  return doc.getText('t').toString()
}

/** Subscribes and keeps what arrives, as text. */
const listen = async (broker: RelayBroker, docId: string): Promise<{ texts: string[]; stop: () => void }> => {
  const texts: string[] = []
  const stop = await broker.subscribe(docId, (update) => texts.push(textOf(update)))
  return { texts, stop }
}

/** Resolves after every callback already queued (timers included) has run. */
const settle = (): Promise<void> => new Promise((resolve) => setTimeout(resolve, 0))

/**
 * Registers (with vitest's `describe`/`it`) the acceptance suite every `RelayBroker` must pass: fan-out to
 * the other nodes that have a document open and to nobody else, never an update back to its publisher,
 * unsubscribe, delivery of what was published while a node was cut off (with `openCuttableNode`), and the
 * error convention (`BrokerError` coded `closed` after close). `setup` runs once per test.
 *
 * @example
 * runBrokerContract('redis', () => {
 *   const keyPrefix = `test${++deployments}:`
 *   return { openNode: () => createRedisBroker({ url, keyPrefix }) }
 * })
 */
export const runBrokerContract = (
  name: string,
  setup: () => Promise<BrokerFixture> | BrokerFixture,
  { fansOut = true, timeoutMs = 10_000 }: BrokerContractOptions = {},
): void => {
  describe(`${name} broker contract`, () => {
    let fixture: BrokerFixture | undefined
    const opened: RelayBroker[] = []
    const fixtureOf = async (): Promise<BrokerFixture> => (fixture ??= await setup())
    const node = async (): Promise<RelayBroker> => {
      const broker = await (await fixtureOf()).openNode()
      opened.push(broker)
      return broker
    }
    afterEach(async () => {
      for (const broker of opened.splice(0)) await broker.close().catch(() => {})
      await fixture?.cleanup?.()
      fixture = undefined
    })
    const arrives = (texts: string[], expected: string[]): Promise<void> =>
      expect.poll(() => texts, { timeout: timeoutMs }).toEqual(expected)

    it('subscribe resolves with a function that stops it, harmless to call twice', async () => {
      const broker = await node()
      const stop = await broker.subscribe('doc', () => {})
      expect(typeof stop).toBe('function')
      stop()
      stop()
      await broker.publish('doc', updateOf('after stop'))
    })

    if (fansOut) {
      it('delivers an update to every subscriber of the document on the other nodes, and to no other document', async () => {
        const [a, b, c] = [await node(), await node(), await node()]
        const atB = await listen(b, 'doc')
        const alsoAtB = await listen(b, 'doc')
        const atC = await listen(c, 'doc')
        const otherDoc = await listen(c, 'other')
        await a.publish('doc', updateOf('hello'))
        await arrives(atB.texts, ['hello'])
        await arrives(alsoAtB.texts, ['hello'])
        await arrives(atC.texts, ['hello'])
        expect(otherDoc.texts).toEqual([])
      })

      it('never delivers an update back to the node that published it', async () => {
        const [a, b] = [await node(), await node()]
        const atA = await listen(a, 'doc')
        const atB = await listen(b, 'doc')
        await a.publish('doc', updateOf('own'))
        await arrives(atB.texts, ['own'])
        // Published after `own`: once it is at A, `own` would have been delivered to A before it.
        await b.publish('doc', updateOf('marker'))
        await arrives(atA.texts, ['marker'])
      })

      it('stops delivering to a handler once unsubscribed, while other handlers still receive', async () => {
        const [a, b] = [await node(), await node()]
        const stopped = await listen(b, 'doc')
        const kept = await listen(b, 'doc')
        await a.publish('doc', updateOf('one'))
        await arrives(stopped.texts, ['one'])
        stopped.stop()
        await a.publish('doc', updateOf('two'))
        await arrives(kept.texts, ['one', 'two'])
        expect(stopped.texts).toEqual(['one'])
      })
    } else {
      it('delivers nothing to any node: there are no others', async () => {
        const [a, b] = [await node(), await node()]
        const atA = await listen(a, 'doc')
        const atB = await listen(b, 'doc')
        await a.publish('doc', updateOf('alone'))
        await b.publish('doc', updateOf('alone too'))
        await settle()
        expect(atA.texts).toEqual([])
        expect(atB.texts).toEqual([])
      })
    }

    it('rejects publish and subscribe after close with a BrokerError coded closed; closing twice is fine', async () => {
      const broker = await node()
      await broker.close()
      await broker.close()
      for (const call of [broker.publish('doc', updateOf('late')), broker.subscribe('doc', () => {})]) {
        const error: unknown = await call.then(() => undefined, (e: unknown) => e)
        expect(error).toBeInstanceOf(BrokerError)
        expect((error as BrokerError).code).toBe('closed')
      }
    })

    if (!fansOut) return

    it('delivers what was published while a node was cut off, once it is back', async () => {
      const fixture = await fixtureOf()
      if (fixture.openCuttableNode === undefined) throw new Error('a broker that fans out must give the suite openCuttableNode')
      const a = await node()
      const cuttable = await fixture.openCuttableNode()
      opened.push(cuttable.broker)
      const atB = await listen(cuttable.broker, 'doc')
      await a.publish('doc', updateOf('before'))
      await arrives(atB.texts, ['before'])
      await cuttable.cut()
      await a.publish('doc', updateOf('while cut'))
      await cuttable.restore()
      await arrives(atB.texts, ['before', 'while cut'])
    })
  })
}
