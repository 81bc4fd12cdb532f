// The floor under any relay built on Node's http server and ws: it accepts websockets the way the Driftless
// relay does (same ws options, subprotocol negotiated, no client tracking) and holds them, doing nothing else.
// Started like the relay's CLI (`--port --host --data`; the data directory is unused), for the memory phases.
import { createServer } from 'node:http'
import { parseArgs } from 'node:util'
import { WebSocketServer } from 'ws'

// Not strict: the harness passes the relay's own flags too (e.g. --max-messages-per-second), which mean nothing here.
const { values } = parseArgs({
  options: { port: { type: 'string', default: '0' }, host: { type: 'string', default: '127.0.0.1' } },
  strict: false,
})
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
server.listen(Number(values.port), values.host, () => {
  console.log(JSON.stringify({ msg: 'listening', url: `ws://${values.host}:${server.address().port}` }))
})
