import { describe, expect, it } from 'vitest'
import { CONTROL_FIELD, decodeEntry, NODE_FIELD, UPDATE_FIELD } from '../src/broker/redis-entry.js'
import { isValidUpdate } from '../src/validate.js'
import { makeUpdate } from './helpers.js'

const fields = (...pairs: [string, string | Uint8Array][]): Buffer[] => pairs.flatMap(([name, value]) => [Buffer.from(name), Buffer.from(value)])

describe('redis stream entries', () => {
  it('carry either an update or a lifecycle control, and refuse controls they do not know', () => {
    expect(decodeEntry(fields([NODE_FIELD, 'n1'], [CONTROL_FIELD, 'deleted']), isValidUpdate)).toEqual({ ok: true, nodeId: 'n1', control: 'deleted' })
    expect(decodeEntry(fields([NODE_FIELD, 'n1'], [CONTROL_FIELD, 'exploded']), isValidUpdate)).toEqual({ ok: false, reason: 'unknown control' })
    const update = makeUpdate('x')
    const decoded = decodeEntry(fields([NODE_FIELD, 'n1'], [UPDATE_FIELD, update]), isValidUpdate)
    expect(decoded.ok && 'update' in decoded && [...decoded.update]).toEqual([...update])
  })
})
