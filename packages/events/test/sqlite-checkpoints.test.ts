import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { sqliteCheckpoints } from '../src/sqlite.js'

const dir = mkdtempSync(join(tmpdir(), 'driftless-checkpoints-'))
afterAll(() => rmSync(dir, { recursive: true, force: true }))

describe('sqliteCheckpoints', () => {
  it('keeps checkpoints and the device id across reopening the file, per store name', async () => {
    const path = join(dir, 'nested', 'replica.db')
    const first = sqliteCheckpoints({ path, name: 'orders' })
    const device = await first.deviceId()
    expect(await first.load('sendReceipt')).toBeUndefined()
    await first.save('sendReceipt', { 'abc.1': 3 })
    await first.save('sendReceipt', { 'abc.1': 4, 'def.2': 1 })
    await first.close()
    await expect(first.load('sendReceipt')).rejects.toThrow(/closed/)

    const again = sqliteCheckpoints({ path, name: 'orders' })
    expect(again.persistent).toBe(true)
    expect(await again.deviceId()).toBe(device)
    expect(await again.load('sendReceipt')).toEqual({ 'abc.1': 4, 'def.2': 1 })
    const other = sqliteCheckpoints({ path, name: 'invoices' })
    expect(await other.deviceId()).not.toBe(device)
    expect(await other.load('sendReceipt')).toBeUndefined()
    await Promise.all([again.close(), other.close()])
  })
})
