import * as Y from 'yjs'
import { WebsocketProvider } from 'y-websocket'
import { tabParams } from './tab-params.js'

const { url, doc } = tabParams()
// Browser defaults: cross-tab BroadcastChannel on, as an app would run it.
const provider = new WebsocketProvider(url, doc, new Y.Doc())
window.benchTab = { synced: () => provider.synced }
