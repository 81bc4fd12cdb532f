// src/main.tsx of a fresh Vite React app (npm create vite@latest my-app -- --template react-ts)
import { ReplicaProvider, useReplica, useSaved, useStatus, useSynced, useY } from '@driftless/react'
import { StrictMode } from 'react'
import { createRoot } from 'react-dom/client'

function Todos() {
  const replica = useReplica() // the provider's replica; undefined until it opens
  const todos = useY((doc) => doc.getArray<string>('todos')) ?? []
  const status = useStatus()
  const saved = useSaved()
  const synced = useSynced()
  return (
    <main>
      <p>{status} · {synced ? 'Saved on the server' : saved ? 'Saved on this device' : 'Saving…'}</p>
      <button onClick={() => replica?.doc.getArray<string>('todos').push([`Todo ${todos.length + 1}`])}>Add</button>
      <ul>{todos.map((todo, i) => <li key={i}>{todo}</li>)}</ul>
    </main>
  )
}

createRoot(document.getElementById('root')!).render(
  <StrictMode>
    <ReplicaProvider docId="todos" relay="ws://localhost:8787" onError={(error) => console.warn(error)}>
      <Todos />
    </ReplicaProvider>
  </StrictMode>,
)
