'use client'
// app/board/live-board.tsx in a Next.js app: the page (a server component) renders <LiveBoard id={…} />.
// On the server this renders the offline, not-loaded state; the replica opens after hydration.
import { ReplicaProvider, useLoaded, useSynced, useY } from '@driftless/react'

function Cards() {
  const loaded = useLoaded()
  const synced = useSynced()
  const cards = useY((doc) => doc.getArray<string>('cards')) ?? []
  if (!loaded) return <p>Loading…</p>
  return <ul data-synced={synced}>{cards.map((card, i) => <li key={i}>{card}</li>)}</ul>
}

export default function LiveBoard({ id }: { id: string }) {
  return (
    <ReplicaProvider docId={`board-${id}`} relay={process.env.NEXT_PUBLIC_RELAY_URL ?? 'ws://localhost:8787'}>
      <Cards />
    </ReplicaProvider>
  )
}
