import type { Replica } from '@driftless/replica'

/** What end-to-end tests read from the page: the replicas of the open documents, by list id. */
export interface EditorTestHooks {
  readonly replicas: Map<string, Replica>
}

declare global {
  interface Window {
    driftlessEditor?: EditorTestHooks
  }
}

/** Makes a document's replica reachable from tests; returns the function that removes it. */
export function exposeReplica(id: string, replica: Replica): () => void {
  const hooks = (window.driftlessEditor ??= { replicas: new Map() })
  hooks.replicas.set(id, replica)
  return () => { if (hooks.replicas.get(id) === replica) hooks.replicas.delete(id) }
}
