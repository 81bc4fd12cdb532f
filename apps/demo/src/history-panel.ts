import { ReplicaError, type Replica } from '@driftless/replica'
import { createVersion, listVersions, loadVersion, restoreVersion, type VersionMeta } from '@driftless/replica/versions'
import { h } from './dom.js'
import { readVersionBoard } from './version-preview.js'

/** A version's title as a person reads it. */
export function versionTitle(version: VersionMeta): string {
  if (version.kind === 'automatic') return 'Automatic version'
  return version.name ?? `Version ${version.id}`
}

/** Who changed the board in a version, in words. */
export function versionAuthors(version: VersionMeta): string {
  return version.authors.length === 0 ? 'no changes since the previous version' : `changes by ${version.authors.join(', ')}`
}

/** What a failed history request means for the person, in words. */
function explain(error: unknown): string {
  if (!(error instanceof ReplicaError)) return `Something went wrong: ${String(error)}`
  switch (error.code) {
    case 'offline': return 'Version history lives on the relay: connect to see, save or restore versions.'
    case 'read-only': return 'You can view this board but not save or restore versions (read-only).'
    case 'invalid-version-name': return 'A version name needs 1 to 256 characters.'
    case 'version-not-found': return 'That version is gone (older automatic versions are cleaned up). The list is refreshed.'
    case 'restore-failed': return 'The relay could not restore that version; nothing changed. Try again later.'
    default: return `The relay refused: ${error.message} (${error.code})`
  }
}

/**
 * The board's version history: the versions on the relay (name, time, authors), a button to save a named
 * version, a read-only preview of any version, and restore. Restoring keeps a "before restoring" version,
 * so a restore can itself be undone from the list. Everything here needs the relay; offline it says so.
 */
export function mountHistoryPanel(root: HTMLElement, replica: Replica): void {
  const nameInput = h('input', { type: 'text', maxlength: '256', placeholder: 'Name this version', 'aria-label': 'Version name', 'data-testid': 'version-name' })
  const save = h('button', { type: 'submit', 'data-testid': 'save-version' }, 'Save version')
  const form = h('form', { class: 'history-save' }, nameInput, save)
  const message = h('p', { class: 'history-message', 'data-testid': 'history-message', 'aria-live': 'polite' })
  const list = h('ol', { class: 'versions', 'data-testid': 'versions' })
  const preview = h('section', { class: 'version-preview', 'data-testid': 'version-preview', hidden: true })
  const panel = h('details', { class: 'history', 'data-testid': 'history' }, h('summary', {}, 'Version history'), form, message, preview, list)
  root.append(panel)

  const say = (text: string): void => { message.textContent = text }
  const attempt = async (work: () => Promise<void>): Promise<void> => {
    try {
      await work()
    } catch (error) {
      say(explain(error))
      if (error instanceof ReplicaError && error.code === 'version-not-found') await refresh()
    }
  }

  const showPreview = async (version: VersionMeta): Promise<void> => {
    const doc = await loadVersion(replica, version.id)
    const board = await readVersionBoard(doc)
    doc.destroy()
    const close = h('button', { type: 'button', 'data-testid': 'close-preview' }, 'Close preview')
    close.addEventListener('click', () => { preview.hidden = true })
    preview.replaceChildren(
      h('header', {}, h('h3', {}, `${versionTitle(version)} (read-only)`), close),
      h('div', { class: 'preview-columns' }, ...board.map((column) => h('div', { class: 'preview-column', 'data-testid': `preview-${column.id}` },
        h('h4', {}, column.title),
        column.cards.length === 0
          ? h('p', { class: 'muted' }, 'No cards')
          : h('ul', {}, ...column.cards.map((text) => h('li', { 'data-testid': 'preview-card' }, text))),
      ))),
    )
    preview.hidden = false
  }

  const restore = async (version: VersionMeta): Promise<void> => {
    const { beforeRestore } = await restoreVersion(replica, version.id)
    preview.hidden = true
    say(`Restored “${versionTitle(version)}”. To undo, restore “${versionTitle(beforeRestore)}”.`)
    await refresh()
  }

  const row = (version: VersionMeta): HTMLLIElement => {
    const previewButton = h('button', { type: 'button', 'data-testid': 'preview-version' }, 'Preview')
    const restoreButton = h('button', { type: 'button', 'data-testid': 'restore-version' }, 'Restore')
    previewButton.addEventListener('click', () => void attempt(() => showPreview(version)))
    restoreButton.addEventListener('click', () => void attempt(() => restore(version)))
    const time = h('time', { datetime: new Date(version.createdAt).toISOString() }, new Date(version.createdAt).toLocaleString())
    return h('li', { class: 'version', 'data-testid': 'version', 'data-kind': version.kind },
      h('div', { class: 'version-text' },
        h('strong', { 'data-testid': 'version-title' }, versionTitle(version)),
        h('span', { class: 'muted' }, time, ' · ', h('span', { 'data-testid': 'version-authors' }, versionAuthors(version)))),
      h('div', { class: 'version-actions' }, previewButton, restoreButton),
    )
  }

  const refresh = async (): Promise<void> => {
    const versions = await listVersions(replica)
    list.replaceChildren(...(versions.length === 0 ? [h('li', { class: 'muted' }, 'No versions yet: save one above.')] : versions.map(row)))
  }

  form.addEventListener('submit', (event) => {
    event.preventDefault()
    void attempt(async () => {
      const version = await createVersion(replica, nameInput.value.trim())
      nameInput.value = ''
      say(`Saved “${versionTitle(version)}”.`)
      await refresh()
    })
  })
  const refreshIfOpen = (): void => {
    if (panel.open) void attempt(async () => { say(''); await refresh() })
  }
  panel.addEventListener('toggle', refreshIfOpen)
  // Opened while offline: the list fills in once the relay is reachable again.
  replica.on('status', (status) => { if (status === 'synced') refreshIfOpen() })
}
