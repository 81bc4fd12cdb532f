import * as Y from 'yjs'
import { HocuspocusProvider } from '@hocuspocus/provider'
import { tabParams } from './tab-params.js'

const { url, doc } = tabParams()
const provider = new HocuspocusProvider({ url, name: doc, document: new Y.Doc() })
window.benchTab = { synced: () => provider.isSynced }
