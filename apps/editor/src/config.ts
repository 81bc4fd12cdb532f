/** Where this page connects, which document it shows and who is typing, read from its URL. */
export interface EditorConfig {
  /** Relay address: `?relay=ws://…`. @default ws://<page hostname>:8787 */
  readonly relay: string
  /** Document to open at start: `?doc=…` (added to the list if it is not there). @default none: the welcome screen */
  readonly docId: string | undefined
  /** The name on this person's caret: `?user=…`, else one remembered by this browser. */
  readonly userName: string
}

const names = ['Ada', 'Grace', 'Alan', 'Edsger', 'Barbara', 'Donald', 'Frances', 'Ken', 'Radia', 'Leslie']

/** Reads {@link EditorConfig} from the page location, so tests can point the page at any relay, document and user. */
export function readConfig(location: Location, storage: Storage | undefined): EditorConfig {
  const params = new URLSearchParams(location.search)
  let userName = params.get('user') || storage?.getItem('driftless-editor:user') || ''
  if (!userName) {
    userName = names[Math.floor(Math.random() * names.length)] ?? 'Ada'
    storage?.setItem('driftless-editor:user', userName)
  }
  return {
    relay: params.get('relay') || `ws://${location.hostname || '127.0.0.1'}:8787`,
    docId: params.get('doc') || undefined,
    userName,
  }
}

/** Caret colors, as #rrggbb: the caret extension draws nothing for other color notations. */
const colors = ['#c2410c', '#2f5bd3', '#15803d', '#9333ea', '#be123c', '#0e7490', '#4338ca']

/** A caret color for a name: the same person gets the same color on every device. */
export function colorFor(name: string): string {
  let hash = 0
  for (const char of name) hash = (hash * 31 + char.charCodeAt(0)) >>> 0
  return colors[hash % colors.length]!
}

/** Options every replica of the editor shares: one relay connection per browser, its own tab channels. */
export const replicaDefaults = { channelPrefix: 'driftless-editor' } as const
