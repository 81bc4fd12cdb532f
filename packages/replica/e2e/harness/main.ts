import * as Y from 'yjs'
import { createIndexedDbStorage, openReplica } from '../../src/index.js'
import { presence } from '../../src/presence.js'
import { storageContract } from '../../src/testing/index.js'
import * as versions from '../../src/versions.js'

/** What the Playwright specs drive from `page.evaluate`. */
const driftless = { openReplica, Y, storageContract, createIndexedDbStorage, versions, presence }

declare global {
  interface Window { driftless: typeof driftless }
}

window.driftless = driftless
document.getElementById('ready')!.textContent = 'ready'
