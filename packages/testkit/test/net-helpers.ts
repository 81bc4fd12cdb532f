import net from 'node:net'

/** An echo server on port 0 for proxy tests. */
export async function startEchoServer(): Promise<{ port: number; close: () => Promise<void>; sockets: Set<net.Socket> }> {
  const sockets = new Set<net.Socket>()
  const server = net.createServer((socket) => {
    sockets.add(socket)
    socket.on('close', () => sockets.delete(socket))
    socket.on('error', () => socket.destroy())
    socket.pipe(socket)
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const address = server.address() as net.AddressInfo
  return {
    port: address.port,
    sockets,
    close: async () => {
      for (const socket of sockets) socket.destroy()
      await new Promise<void>((resolve) => server.close(() => resolve()))
    },
  }
}

/** What a client socket sees: data received and whether/how it ended. */
export interface Probe {
  socket: net.Socket
  received: () => string
  closed: Promise<'closed'>
  connected: Promise<boolean>
}

export function connect(port: number): Probe {
  const socket = net.connect(port, '127.0.0.1')
  let data = ''
  socket.setEncoding('utf8')
  socket.on('data', (chunk: string) => (data += chunk))
  socket.on('error', () => {})
  const closed = new Promise<'closed'>((resolve) => socket.once('close', () => resolve('closed')))
  const connected = new Promise<boolean>((resolve) => {
    socket.once('connect', () => resolve(true))
    socket.once('close', () => resolve(false))
  })
  return { socket, received: () => data, closed, connected }
}
