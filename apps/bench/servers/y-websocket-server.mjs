// The y-websocket reference server (@y/websocket-server's setupWSConnection, as its bin does), bound to
// 127.0.0.1 on a free port. Set YPERSISTENCE=<dir> for its LevelDB persistence. Prints one JSON line
// {"msg":"listening","url":...} once it accepts connections.
import http from 'node:http'
import { WebSocketServer } from 'ws'
import { setupWSConnection } from '@y/websocket-server/utils'

const wss = new WebSocketServer({ noServer: true })
wss.on('connection', setupWSConnection)
const server = http.createServer((_req, res) => { res.writeHead(200); res.end('okay') })
server.on('upgrade', (request, socket, head) => {
  wss.handleUpgrade(request, socket, head, (ws) => wss.emit('connection', ws, request))
})
server.listen(0, '127.0.0.1', () => {
  const { port } = server.address()
  process.stdout.write(JSON.stringify({ msg: 'listening', url: `ws://127.0.0.1:${port}` }) + '\n')
})
