import { RelayConnection, type ConnectionOptions } from '../connection/socket.js'
import { SharedLink, createDirectLink, type RelayLink } from './leader.js'

const links = new Map<string, SharedLink>()

/**
 * The link for a set of relay URLs. With cross-tab sharing (`share`: asked for, and `canShareAcrossTabs()`), one
 * per page and prefix (its first user's token and WebSocket serve every replica of the page); without, one per
 * replica.
 */
export const acquireLink = (prefix: string, share: boolean, options: ConnectionOptions): RelayLink => {
  if (!share) return createDirectLink(new RelayConnection(options))
  const name = `${prefix}:${options.urls.join(' ')}`
  let link = links.get(name)
  if (!link) {
    const created: SharedLink = new SharedLink(name, () => new RelayConnection(options), () => {
      if (links.get(name) === created) links.delete(name)
    })
    links.set(name, (link = created))
  }
  return link.retain()
}
