// A Playwright test of the app, on the test kit.
import { expectConverged, test } from '@driftless/testkit'

test('two clients converge', async ({ openClients }) => {
  const clients = await openClients(2, { url: 'http://127.0.0.1:5173/' })
  await expectConverged(clients, (page) => page.title())
})
