import { describe, expect, it } from 'vitest'
import { DurabilityLedger } from '../src/durability.js'

describe('DurabilityLedger', () => {
  it('releases a barrier only once everything held when it was taken is committed, in any commit order', () => {
    const ledger = new DurabilityLedger()
    const first = ledger.held('doc')
    const second = ledger.held('doc')
    const released: string[] = []
    ledger.barrier('doc', () => released.push('barrier'))
    const third = ledger.held('doc')
    ledger.committed('doc', [second])
    expect(released).toEqual([])
    ledger.committed('doc', [first])
    expect(released).toEqual(['barrier'])
    ledger.barrier('doc', () => released.push('after third'))
    ledger.committed('doc', [third])
    expect(released).toEqual(['barrier', 'after third'])
    expect(ledger.size).toBe(0)
  })

  it('passes a barrier at once when nothing of the document is pending, whatever other documents hold', () => {
    const ledger = new DurabilityLedger()
    ledger.held('other')
    let released = false
    ledger.barrier('doc', () => { released = true })
    expect(released).toBe(true)
  })

  it('barrierThrough waits only for numbers up to its own', () => {
    const ledger = new DurabilityLedger()
    const mine = ledger.held('doc')
    const later = ledger.held('doc')
    ledger.committed('doc', [mine])
    let released = false
    ledger.barrierThrough('doc', mine, () => { released = true })
    expect(released).toBe(true)
    ledger.committed('doc', [later])
  })

  it('holds forwarded updates until taken and committed, and forgets them when the document leaves memory', () => {
    const ledger = new DurabilityLedger()
    ledger.heldRemote('doc', new Uint8Array([1]))
    ledger.heldRemote('doc', new Uint8Array([2]))
    const released: number[] = []
    ledger.barrier('doc', () => released.push(1))
    const taken = ledger.takeRemote('doc')
    expect(taken?.updates).toEqual([new Uint8Array([1]), new Uint8Array([2])])
    expect(ledger.takeRemote('doc')).toBeNull()
    ledger.committed('doc', taken!.seqs)
    expect(released).toEqual([1])

    ledger.heldRemote('gone', new Uint8Array([3]))
    ledger.barrier('gone', () => released.push(2))
    ledger.forgetRemote('gone')
    expect(released).toEqual([1, 2])
    expect(ledger.size).toBe(0)
  })
})
