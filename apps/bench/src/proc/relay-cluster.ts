import { startPostgres, startRedis, type BackingService } from './backing-services.js'
import { startServer, type ServerProcess } from './server-process.js'
import { tempDir } from '../scenario.js'

/** Two Driftless relay nodes (the CLI, each its own process) sharing one PostgreSQL and one Redis. */
export interface RelayCluster {
  /** The node the restart measurement kills; replaced by `restartA`. */
  readonly a: ServerProcess
  readonly b: ServerProcess
  /** Starts node A again on the port its clients know, after it was killed. */
  restartA(): Promise<void>
  /** Stops both nodes, Redis and PostgreSQL, and deletes their data; safe to call after a failed start. */
  destroy(): Promise<void>
}

/** The port of a `ws://host:port` URL. */
const portOf = (url: string): number => Number(new URL(url).port)

/**
 * Starts PostgreSQL, Redis and two relay nodes on them (`DRIFTLESS_STORAGE` / `DRIFTLESS_BROKER`, as a deployment
 * would set them). Throws BackingServiceError when redis-server or PostgreSQL is not installed; whatever did start
 * is stopped before a start failure is thrown.
 */
export const startRelayCluster = async (): Promise<RelayCluster> => {
  const services: BackingService[] = []
  const nodes: { a?: ServerProcess; b?: ServerProcess } = {}
  // The CLI wants a data directory even when it stores nothing there.
  const data = tempDir('scale-out')
  const destroy = async (): Promise<void> => {
    await Promise.allSettled([nodes.a?.stop(), nodes.b?.stop()])
    await Promise.allSettled(services.map((s) => s.destroy()))
    data.remove()
  }
  try {
    const postgres = await startPostgres()
    services.push(postgres)
    const redis = await startRedis()
    services.push(redis)
    const env = { DRIFTLESS_STORAGE: postgres.url, DRIFTLESS_BROKER: redis.url }
    nodes.a = await startServer('driftless', { dataDir: data.path, env })
    nodes.b = await startServer('driftless', { dataDir: data.path, env })
    const port = portOf(nodes.a.url)
    return {
      get a() { return nodes.a as ServerProcess },
      get b() { return nodes.b as ServerProcess },
      async restartA() {
        nodes.a = await startServer('driftless', { dataDir: data.path, env, port })
      },
      destroy,
    }
  } catch (error) {
    await destroy()
    throw error
  }
}
