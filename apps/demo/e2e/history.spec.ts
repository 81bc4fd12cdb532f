import type { Page } from '@playwright/test'
import { expectConverged, heal, partition, test } from '@driftless/testkit'
import { addCardTo, attachScreenshot, expectExactly, openBoards, readDoc, uniqueDoc, waitSynced } from './board.js'

// Generous: page loads from the Vite dev server are slow on a busy 2-core machine.
test.describe.configure({ timeout: 120_000 })

const { expect } = test

/** Opens the history panel, whose list loads from the relay. */
async function openHistory(page: Page): Promise<void> {
  await page.getByTestId('history').locator('summary').click()
}

/** The list's version titles, newest first. */
function versionTitles(page: Page) {
  return page.getByTestId('versions').getByTestId('version-title')
}

/** The row of the version titled `title`. */
function versionRow(page: Page, title: string) {
  return page.getByTestId('version').filter({ has: page.getByTestId('version-title').getByText(title, { exact: true }) })
}

test('the history panel saves a named version, previews it read-only, restores it on every device, and undoes the restore', async ({ openClients }, testInfo) => {
  const clients = await openBoards(openClients, 2, uniqueDoc(testInfo), { tabs: 1 })
  const [desk, phoneDevice] = clients
  const page = desk?.pages[0]
  const phone = phoneDevice?.pages[0]
  if (!desk || !phoneDevice || !page || !phone) throw new Error('two devices expected')
  await phone.setViewportSize({ width: 390, height: 844 })

  await test.step('a named version of a board with two cards', async () => {
    await addCardTo(page, 'todo', 'Plan the offsite')
    await addCardTo(page, 'doing', 'Book the venue')
    await waitSynced(page)
    await openHistory(page)
    await expect(page.getByTestId('versions')).toContainText('No versions yet')
    await page.getByTestId('version-name').fill('Before the offsite')
    await page.getByTestId('save-version').click()
    await expect(page.getByTestId('history-message')).toHaveText('Saved “Before the offsite”.')
    await expect(versionTitles(page)).toHaveText(['Before the offsite'])
    // No token here: the relay records the changes as anonymous's.
    await expect(versionRow(page, 'Before the offsite').getByTestId('version-authors')).toHaveText('changes by anonymous')
  })

  await test.step('after more edits, the preview shows the version read-only and leaves the board as it is', async () => {
    await addCardTo(page, 'todo', 'Added after the version')
    await expectConverged(clients, readDoc)
    await versionRow(page, 'Before the offsite').getByTestId('preview-version').click()
    const preview = page.getByTestId('version-preview')
    await expect(preview).toBeVisible()
    await expect(preview.getByTestId('preview-todo').getByTestId('preview-card')).toHaveText(['Plan the offsite'])
    await expect(preview.getByTestId('preview-doing').getByTestId('preview-card')).toHaveText(['Book the venue'])
    await expect(preview.locator('textarea, input')).toHaveCount(0)
    expectExactly(await readDoc(page), ['Plan the offsite', 'Book the venue', 'Added after the version'])
    await attachScreenshot(page, testInfo, 'history-desktop')
  })

  await test.step('the phone restores the version: both devices show its board, and a "before restoring" version is listed', async () => {
    await openHistory(phone)
    await expect(versionTitles(phone)).toHaveText(['Before the offsite'])
    await versionRow(phone, 'Before the offsite').getByTestId('restore-version').click()
    await expect(phone.getByTestId('history-message')).toHaveText('Restored “Before the offsite”. To undo, restore “Before restoring Before the offsite”.')
    const { value } = await expectConverged(clients, readDoc)
    expectExactly(value, ['Plan the offsite', 'Book the venue'])
    await expect(versionTitles(phone)).toHaveText(['Before restoring Before the offsite', 'Before the offsite'])
    // The panel fits a 390 px phone: nothing sticks out sideways.
    expect(await phone.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(390)
    await attachScreenshot(phone, testInfo, 'history-phone-390')
  })

  await test.step('restoring "before restoring" undoes the restore everywhere', async () => {
    await versionRow(phone, 'Before restoring Before the offsite').getByTestId('restore-version').click()
    const { value } = await expectConverged(clients, readDoc)
    expectExactly(value, ['Plan the offsite', 'Book the venue', 'Added after the version'])
  })

  await test.step('offline, the panel says history needs the relay, and stores nothing', async () => {
    partition(phoneDevice)
    await expect(phone.getByTestId('status')).toHaveText('offline')
    await phone.getByTestId('version-name').fill('Made offline')
    await phone.getByTestId('save-version').click()
    await expect(phone.getByTestId('history-message')).toHaveText('Version history lives on the relay: connect to see, save or restore versions.')
    heal(phoneDevice)
    await expect(phone.getByTestId('status')).toHaveText('synced')
    await expect(versionTitles(phone)).toHaveText(['Before restoring Before restoring Before the offsite', 'Before restoring Before the offsite', 'Before the offsite'])
  })
})
