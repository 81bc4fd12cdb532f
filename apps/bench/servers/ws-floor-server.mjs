// The floor under any relay built on Node's http server and ws: it accepts websockets the way the Driftless
// relay does (same ws options, subprotocol negotiated, no client tracking) and holds them, doing nothing else.
// Started like the relay's CLI (`--port --host --data`; the data directory is unused), for the memory phases.
import { createServer } from 'node:http'
import { WebSocketServer } from 'ws'

const flag = (name, fallback) => {
  const at = process.argv.indexOf(`--${name}`)
  return at === -1 ? fallback : process.argv[at + 1]
}
const server = createServer((_request, response) => response.end())
const wss = new WebSocketServer({
  noServer: true, maxPayload: 16 * 1024 * 1024, perMessageDeflate: false, clientTracking: false,
  handleProtocols: (protocols) => [...protocols][0] ?? false,
})
const ignore = () => {}
server.on('upgrade', (request, socket, head) => {
  socket.on('error', ignore)
  wss.handleUpgrade(request, socket, head, (ws) => {
    ws.on('error', ignore)
    ws.on('message', ignore)
  })
})
server.listen(Number(flag('port', '0')), flag('host', '127.0.0.1'), () => {
  console.log(JSON.stringify({ msg: 'listening', url: `ws://127.0.0.1:${server.address().port}` }))
})
