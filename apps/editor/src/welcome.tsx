import type { ReactNode } from 'react'

/** The first screen: what this app is, and what to try. */
export function Welcome({ onCreate }: { onCreate: () => void }): ReactNode {
  return (
    <section className="welcome" data-testid="welcome">
      <h2>Write together, even offline</h2>
      <p>Every document is kept on this device first and synced through the relay. Try this:</p>
      <ol>
        <li><button type="button" className="welcome__start" onClick={onCreate}>Create a document</button> and type a few words.</li>
        <li>Copy the address into a second window (or another browser) and type there too: you see each other's carets.</li>
        <li>Switch <strong>Work offline</strong> on in one window and keep typing in both. The indicator counts the changes waiting.</li>
        <li>Reload the offline window: your text is still there. Switch back online: both windows end up with every word.</li>
      </ol>
      <p className="welcome__legend">
        <strong>Saved on this device</strong> survives a reload or a crash. <strong>Saved on the server</strong> also survives losing this device.
      </p>
    </section>
  )
}
