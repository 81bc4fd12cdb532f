import { expect, test } from '@driftless/testkit'
import { openEditors, saveState, startParagraph, typeInParagraph, uniqueDoc } from './editor.js'

test.describe.configure({ timeout: 120_000 })

test('the relay is SIGKILLed after "Saved on the server" and restarted: a new device loads everything', async ({ openClients, relay }, testInfo) => {
  const doc = uniqueDoc(testInfo)
  const [writer] = await openEditors(openClients, ['Ada'], doc)
  const page = writer?.pages[0]
  if (!writer || !page) throw new Error('a device expected')
  await startParagraph(page, '[ada]')
  await typeInParagraph(page, '[ada]', ' every word of this sentence was acknowledged before the crash')
  await expect(saveState(page)).toHaveText('Saved on the server')

  await relay.kill()
  await writer.context.close() // the writer's device is gone too: only the relay's disk can tell
  await relay.restart()

  const [fresh] = await openEditors(openClients, ['Grace'], doc)
  const freshPage = fresh?.pages[0]
  if (!freshPage) throw new Error('a new device expected')
  await expect(freshPage.getByTestId('editor')).toContainText('[ada] every word of this sentence was acknowledged before the crash')
  await expect(saveState(freshPage)).toHaveText('Saved on the server')
})
