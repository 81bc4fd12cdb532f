import { openReplica } from 'bench:driftless-replica'
import { tabParams } from './tab-params.js'

const { url, doc } = tabParams()
const replica = openReplica({ docId: doc, relay: url, storage: 'indexeddb' })
window.benchTab = { synced: () => replica.status === 'synced' }
