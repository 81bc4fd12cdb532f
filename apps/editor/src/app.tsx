import { ReplicaProvider, useReplica } from '@driftless/react'
import { useCallback, useEffect, useMemo, useState, type ReactNode } from 'react'
import { colorFor, replicaDefaults, type EditorConfig } from './config.js'
import { DocumentList, type ReplicaSettings } from './document-list.js'
import { DocumentView } from './document-view.js'
import { INDEX_DOC, docIdOf, documentsOf, newDocumentId, titlesOf } from './documents.js'
import { FollowWorkOffline, WorkOfflineContext } from './offline.js'
import { Welcome } from './welcome.js'

/** The editor: the shared document list, the open document, and this tab's work-offline switch. */
export function App({ config }: { config: EditorConfig }): ReactNode {
  const [offline, setOffline] = useState(false)
  const settings = useMemo<ReplicaSettings>(() => ({ relay: config.relay, ...replicaDefaults }), [config.relay])
  return (
    <WorkOfflineContext.Provider value={offline}>
      <ReplicaProvider docId={INDEX_DOC} {...settings} autoConnect={false}>
        <FollowWorkOffline />
        <Shell config={config} settings={settings} offline={offline} onOffline={setOffline} />
      </ReplicaProvider>
    </WorkOfflineContext.Provider>
  )
}

function Shell({ config, settings, offline, onOffline }: {
  config: EditorConfig
  settings: ReplicaSettings
  offline: boolean
  onOffline: (offline: boolean) => void
}): ReactNode {
  const index = useReplica()
  const [selected, setSelected] = useState(config.docId)
  const user = useMemo(() => ({ name: config.userName, color: colorFor(config.userName) }), [config.userName])

  const select = useCallback((id: string) => {
    setSelected(id)
    const url = new URL(window.location.href)
    url.searchParams.set('doc', id)
    window.history.replaceState(null, '', url)
  }, [])
  const create = useCallback(() => {
    if (!index) return
    const id = newDocumentId()
    index.doc.transact(() => {
      documentsOf(index.doc).set(id, { createdAt: Date.now() })
      titlesOf(index.doc).set(id, 'Untitled')
    })
    select(id)
  }, [index, select])

  // A document named in the address joins the list, so a shared link works on a device that never saw it.
  useEffect(() => {
    if (!index || !selected) return undefined
    let cancelled = false
    void index.loaded.then(() => {
      const documents = documentsOf(index.doc)
      if (!cancelled && !documents.has(selected)) documents.set(selected, { createdAt: Date.now() })
    })
    return () => { cancelled = true }
  }, [index, selected])

  return (
    <div className="app">
      <header className="app__header">
        <h1>Driftless <span>editor</span></h1>
        <span className="app__user" style={{ borderColor: user.color }} data-testid="user">{user.name}</span>
        <label className="app__offline">
          <input type="checkbox" data-testid="offline-toggle" checked={offline} onChange={(event) => onOffline(event.target.checked)} />
          Work offline
        </label>
      </header>
      <DocumentList index={index} selected={selected} onSelect={select} onCreate={create} settings={settings} />
      <main className="app__main">
        {selected ? (
          <ReplicaProvider key={selected} docId={docIdOf(selected)} {...settings} autoConnect={false}>
            <FollowWorkOffline />
            <DocumentView id={selected} user={user} index={index} />
          </ReplicaProvider>
        ) : (
          <Welcome onCreate={create} />
        )}
      </main>
    </div>
  )
}
