import { createConnection, createServer, type Socket } from 'node:net'

/** A TCP proxy on 127.0.0.1 whose server-to-client direction can be held, to make one client lag. */
export interface TcpProxy {
  readonly port: number
  /** Holds what the server sends; dropped if the server connection closes meanwhile. */
  hold(): void
  /** Delivers what was held and lets data through again. */
  release(): void
  /** Closes every proxied connection (dropping what was held), as a network failure would. */
  cut(): void
  close(): Promise<void>
}

export async function startTcpProxy(targetPort: number): Promise<TcpProxy> {
  let holding = false
  const pairs = new Set<{ client: Socket; upstream: Socket; held: Buffer[] }>()
  const server = createServer((client) => {
    const upstream = createConnection({ host: '127.0.0.1', port: targetPort })
    const pair = { client, upstream, held: [] as Buffer[] }
    pairs.add(pair)
    client.on('data', (data) => upstream.write(data))
    upstream.on('data', (data: Buffer) => {
      if (holding) pair.held.push(data)
      else client.write(data)
    })
    const end = (): void => {
      pairs.delete(pair)
      client.destroy()
      upstream.destroy()
    }
    client.on('close', end).on('error', end)
    upstream.on('close', end).on('error', end)
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const address = server.address()
  if (address === null || typeof address !== 'object') throw new Error('proxy has no port')
  return {
    port: address.port,
    hold() {
      holding = true
    },
    release() {
      holding = false
      for (const pair of pairs) for (const chunk of pair.held.splice(0)) pair.client.write(chunk)
    },
    cut() {
      holding = false
      for (const pair of pairs) {
        pair.held.length = 0
        pair.client.destroy()
        pair.upstream.destroy()
      }
    },
    async close() {
      for (const pair of pairs) {
        pair.client.destroy()
        pair.upstream.destroy()
      }
      await new Promise<void>((resolve) => server.close(() => resolve()))
    },
  }
}
