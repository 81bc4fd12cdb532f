import type pg from 'pg'

/**
 * Runs `work` in one transaction on a pooled client: committed when it resolves; rolled back, and the
 * client discarded rather than returned to the pool, when it throws.
 */
export const inTransaction = async <T>(pool: pg.Pool, work: (client: pg.PoolClient) => Promise<T>): Promise<T> => {
  const client = await pool.connect()
  try {
    await client.query('BEGIN')
    const result = await work(client)
    await client.query('COMMIT')
    client.release()
    return result
  } catch (error) {
    await client.query('ROLLBACK').catch(() => {})
    client.release(true)
    throw error
  }
}
