import net from 'node:net'

/** Where a proxy forwards connections. */
export interface ProxyTarget {
  host: string
  port: number
}

/**
 * What a partitioned proxy does with connections that arrive while it is cut.
 * - `refuse`: accept and reset at once, so the client sees a failed connection immediately.
 * - `blackhole`: accept and hold silently; nothing is forwarded; the socket is dropped on heal.
 */
export type PartitionMode = 'refuse' | 'blackhole'

/** Options of {@link startProxy}. */
export interface ProxyOptions {
  /**
   * The upstream address, or a function read on every new connection (so the proxy follows a relay that
   * restarts on another port).
   */
  target: ProxyTarget | (() => ProxyTarget | undefined)
  /** Interface to listen on. @default '127.0.0.1' */
  host?: string
  /** Port to listen on; 0 picks a free one. @default 0 */
  port?: number
}

/**
 * A TCP proxy the test controls: it forwards every connection to the target until `partition()`,
 * which destroys the live connections and refuses (or blackholes) new ones until `heal()`.
 * Works below the websocket layer, so the cut is as real as a pulled cable.
 */
export interface TcpProxy {
  /** The port the proxy listens on; stable for the proxy's life. */
  readonly port: number
  /** The interface the proxy listens on. */
  readonly host: string
  /** `ws://host:port`: the address to give clients instead of the relay's own. */
  readonly wsUrl: string
  /** Whether the proxy is currently cut. */
  readonly partitioned: boolean
  /** Number of client connections currently forwarded. */
  readonly openConnections: number
  /** Destroys every live connection and refuses (or blackholes) new ones until {@link TcpProxy.heal}. */
  partition(mode?: PartitionMode): void
  /** Forwards new connections again. Connections held by a blackhole are dropped so clients reconnect. */
  heal(): void
  /**
   * Destroys every connection (both ways) without changing the partition state: a network blip. Ends a
   * {@link TcpProxy.hold}, dropping what it held, so reconnecting clients are served again.
   */
  dropConnections(): void
  /**
   * Holds back what upstreams send to clients (clients' bytes still go through), so a client lags without
   * noticing. What is held for a connection that closes meanwhile is dropped, as a lost segment would be.
   */
  hold(): void
  /** Delivers what {@link TcpProxy.hold} kept back, and lets upstream bytes through again. */
  release(): void
  /** Stops listening and destroys every connection. */
  close(): Promise<void>
}

/** A relay node as {@link acrossNodes} sees it, e.g. a `RelayProcess`. */
export interface ProxyNode {
  readonly running: boolean
  readonly port: number
}

/**
 * A proxy target that puts several relay nodes (sharing storage and broker) behind one address: each new
 * connection goes to the next node in turn, skipping nodes that are down, so a killed node's clients
 * reconnect to the others through the same proxy.
 *
 * @example
 * const proxy = await startProxy({ target: acrossNodes([nodeA, nodeB]) })
 */
export const acrossNodes = (nodes: readonly ProxyNode[], host = '127.0.0.1'): (() => ProxyTarget | undefined) => {
  let next = 0
  return () => {
    for (let tried = 0; tried < nodes.length; tried++) {
      const node = nodes[next++ % nodes.length]!
      if (node.running) return { host, port: node.port }
    }
    return undefined
  }
}

/** Starts a {@link TcpProxy}; resolves once it listens. */
export async function startProxy(options: ProxyOptions): Promise<TcpProxy> {
  const host = options.host ?? '127.0.0.1'
  const resolveTarget = typeof options.target === 'function' ? options.target : () => options.target as ProxyTarget
  const live = new Set<net.Socket>()
  const blackholed = new Set<net.Socket>()
  const forwardedClients = new Set<net.Socket>()
  /** Per forwarded client, the upstream bytes held back while `holding`. */
  const heldBytes = new Map<net.Socket, Buffer[]>()
  let holding = false
  let mode: PartitionMode | undefined

  const track = (socket: net.Socket, into: Set<net.Socket>): void => {
    into.add(socket)
    socket.once('close', () => into.delete(socket))
    // Resets and aborts are expected in a proxy that cuts connections on purpose.
    socket.on('error', () => socket.destroy())
  }

  const server = net.createServer({ pauseOnConnect: true }, (client) => {
    if (mode === 'refuse') {
      client.on('error', () => {})
      client.resetAndDestroy()
      return
    }
    if (mode === 'blackhole') {
      track(client, blackholed)
      return
    }
    const target = resolveTarget()
    if (!target) {
      client.on('error', () => {})
      client.resetAndDestroy()
      return
    }
    track(client, live)
    track(client, forwardedClients)
    const upstream = net.connect(target.port, target.host)
    track(upstream, live)
    heldBytes.set(client, [])
    client.once('close', () => {
      heldBytes.delete(client)
      upstream.destroy()
    })
    upstream.once('close', () => client.destroy())
    upstream.once('connect', () => {
      client.pipe(upstream)
      upstream.on('data', (chunk: Buffer) => {
        if (holding) heldBytes.get(client)?.push(chunk)
        else client.write(chunk)
      })
      client.resume()
    })
  })

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject)
    server.listen(options.port ?? 0, host, () => {
      server.off('error', reject)
      resolve()
    })
  })
  const address = server.address()
  if (address === null || typeof address === 'string') throw new Error('proxy: no TCP address')
  const port = address.port

  const destroyAll = (sockets: Set<net.Socket>): void => {
    for (const socket of [...sockets]) socket.destroy()
  }

  return {
    port,
    host,
    wsUrl: `ws://${host}:${port}`,
    get partitioned() {
      return mode !== undefined
    },
    get openConnections() {
      return forwardedClients.size
    },
    partition(next: PartitionMode = 'refuse') {
      mode = next
      destroyAll(live)
    },
    heal() {
      mode = undefined
      destroyAll(blackholed)
    },
    dropConnections() {
      holding = false
      destroyAll(live)
      destroyAll(blackholed)
    },
    hold() {
      holding = true
    },
    release() {
      holding = false
      for (const [client, chunks] of heldBytes) for (const chunk of chunks.splice(0)) client.write(chunk)
    },
    async close() {
      mode = 'refuse'
      destroyAll(live)
      destroyAll(blackholed)
      await new Promise<void>((resolve) => server.close(() => resolve()))
    },
  }
}
