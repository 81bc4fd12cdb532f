/** Where this page connects and which board it shows, read from its URL. */
export interface DemoConfig {
  /** Relay address: `?relay=ws://…`. @default ws://<page hostname>:8787 */
  relay: string
  /** Document id: `?doc=…`. @default 'board' */
  docId: string
}

/** Reads {@link DemoConfig} from a page location, so tests can point the page at any relay and document. */
export function readConfig(location: Location): DemoConfig {
  const params = new URLSearchParams(location.search)
  return {
    relay: params.get('relay') || `ws://${location.hostname || '127.0.0.1'}:8787`,
    docId: params.get('doc') || 'board',
  }
}
