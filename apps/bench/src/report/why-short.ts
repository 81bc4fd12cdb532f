/**
 * What profiling found behind each target Driftless has missed, shown under the shortfall when it is missed
 * again. Keyed by `${scenario} — ${metric}`. Findings, not figures of one run: those are in the table.
 */
export const WHY_SHORT: Readonly<Record<string, string>> = {
  '1. client-side fan-out — edits delivered/s':
    'The harness process, not the server, bounds this scenario. All 50 clients live in it, and every remote ' +
    'transaction resets Yjs\'s search markers, so the next local insert at a random position walks the text from ' +
    'its start (`findMarker`: about a third of the harness CPU in a profile, whichever system delivers). A server ' +
    'that delivers while the clients type makes the harness pay that walk on every round; Hocuspocus\'s runs are ' +
    'bimodal, and its fast runs deliver less during the typing. What a relay controls is its own CPU (the row ' +
    'below): Driftless sends the updates of one event-loop turn as one merged update per subscriber, so each ' +
    'client applies about 2 remote transactions per round instead of 49.',
  '2. many documents — server memory per open document':
    'Each of the 1,000 clients has its own websocket, and connections, not documents, dominate: the V8 heap grows ' +
    'by about 16 KiB per document (its two connections included) and the rest of the growth is memory the ' +
    'allocator keeps after the burst of connects (when the same test runs after a warm-up round, about half of it ' +
    'is gone). An open document alone costs about 4 KB in the relay (its lifecycle test measures it in-process).',
  '3. large document — fresh-client initial sync (4.3 MiB)':
    'The floor is `Y.applyUpdate` alone; a networked client also connects, waits for the relay\'s reply and receives ' +
    '4.3 MiB over loopback, 50–150 ms here. Applying the update is the rest: the replica stores the bytes it ' +
    'received instead of letting Yjs re-encode them.',
  '3. large document — server RSS with it loaded':
    'An idle relay process is already ~62 MiB (Node 20 itself ~39 MiB, yjs and ws ~16 MiB) plus ~14 MiB for the ' +
    'SQLite writer thread that keeps fsyncs off the event loop, before any document; the 4.3 MiB document and the ' +
    'transient copies of it (websocket receive, hand-off to the writer thread) make the rest.',
}
