// A Hocuspocus server bound to 127.0.0.1 on a free port, with default settings. With `--data <file>` it
// persists through @hocuspocus/extension-sqlite (its usual debounced store). Prints one JSON line
// {"msg":"listening","url":...} once it accepts connections.
import { Server } from '@hocuspocus/server'
import { SQLite } from '@hocuspocus/extension-sqlite'

const dataIndex = process.argv.indexOf('--data')
const database = dataIndex > 0 ? process.argv[dataIndex + 1] : undefined
const server = new Server({
  port: 0,
  address: '127.0.0.1',
  quiet: true,
  stopOnSignals: false,
  extensions: database ? [new SQLite({ database })] : [],
})
await server.listen()
process.stdout.write(JSON.stringify({ msg: 'listening', url: `ws://127.0.0.1:${server.address.port}` }) + '\n')
