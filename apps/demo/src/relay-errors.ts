import type { openReplica, ReplicaError } from '@driftless/replica'
import type { Banner, mountBanners } from './banners.js'

type Replica = ReturnType<typeof openReplica>

/** What a person can make of each access problem the relay reports; undefined for errors the page handles itself. */
export function explainRelayError(error: ReplicaError): Banner | undefined {
  const kept = 'Your changes are kept on this device and will be sent once access is restored.'
  switch (error.code) {
    case 'unauthorized':
      return /expired/i.test(error.message)
        ? { id: 'auth:expired', kind: 'error', message: `Your access to this board expired and could not be renewed (tokenExpired). ${kept}` }
        : {
            id: 'auth:unauthorized',
            kind: 'error',
            message: `The relay requires sign-in and did not accept this page's access (unauthorized). ${kept} ` +
              'Running the relay with DRIFTLESS_AUTH_SECRET? Start the demo with `npm start`, which hands out development tokens.',
          }
    case 'forbidden':
      return { id: 'auth:forbidden', kind: 'error', message: `This board is not shared with you (forbidden). ${kept}` }
    case 'read-only':
      return { id: 'auth:read-only', kind: 'error', message: 'You can view this board but not change it (read-only): your edits stay on this device.' }
    default:
      return undefined
  }
}

/** Shows the relay's access errors as banners until the replica is in sync again. */
export function showRelayErrors(replica: Replica, banners: ReturnType<typeof mountBanners>): void {
  const shown = new Map<string, Banner>()
  replica.on('error', (error) => {
    const banner = explainRelayError(error)
    if (!banner) return
    shown.set(banner.id, banner)
    banners.set('relay', [...shown.values()])
  })
  replica.on('status', (status) => {
    if (status !== 'synced' || shown.size === 0) return
    shown.clear()
    banners.set('relay', [])
  })
}
