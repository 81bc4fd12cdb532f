import { defineEvent, defineProjection, indexedDbCheckpoints } from '@driftless/events'
import { useEmit, useEventLog, useProjection } from '@driftless/react/events'

interface Voted { readonly option: string }
const voted = defineEvent('voted', { schema: (d): d is Voted => typeof (d as Voted | null)?.option === 'string' })
const poll = defineProjection({
  name: 'poll',
  initial: {} as Readonly<Record<string, number>>,
  events: [voted],
  reduce: (tally, event) => ({ ...tally, [event.data.option]: (tally[event.data.option] ?? 0) + 1 }),
})

export function Poll() {
  useEventLog({ checkpoints: indexedDbCheckpoints('poll') }) // options for the tree's one log, read when it opens
  const { state, stableState, rejected, ready } = useProjection(poll)
  const emit = useEmit()
  return (
    <section>
      <button disabled={!ready} onClick={() => emit(voted, { option: 'yes' })}>Yes</button>
      <p>Yes: {state.yes ?? 0} (final: {stableState.yes ?? 0}), rejected: {rejected.size}</p>
    </section>
  )
}
