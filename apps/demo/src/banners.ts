import { h } from './dom.js'

/** How a banner looks: a refused operation (warn) or a problem that blocks syncing (error). */
export type BannerKind = 'warn' | 'error'

/** A message above the board. `id` is stable, so the same message shows once and stays dismissed. */
export interface Banner {
  id: string
  kind: BannerKind
  message: string
}

/**
 * Dismissable banners. Several sources (refused moves, relay errors…) each own a group of banners and
 * replace it as a whole; a banner the person dismissed stays hidden for this tab.
 */
export function mountBanners(root: HTMLElement): { set(group: string, banners: readonly Banner[]): void } {
  const list = h('ul', { class: 'banners', 'data-testid': 'banners', 'aria-live': 'polite' })
  root.append(list)
  const groups = new Map<string, readonly Banner[]>()
  const dismissed = new Set<string>()
  const render = (): void => {
    const visible = [...groups.values()].flat().filter((banner) => !dismissed.has(banner.id))
    list.replaceChildren(
      ...visible.map((banner) => {
        const close = h('button', { type: 'button', class: 'dismiss', 'data-testid': 'dismiss', title: 'Dismiss', 'aria-label': 'Dismiss' }, '✕')
        close.addEventListener('click', () => {
          dismissed.add(banner.id)
          render()
        })
        return h(
          'li',
          { class: `banner ${banner.kind}`, 'data-testid': banner.kind === 'error' ? 'error-banner' : 'violation', 'data-banner-id': banner.id },
          h('span', {}, banner.message),
          close,
        )
      }),
    )
  }
  return {
    set(group, banners) {
      // A message that went away and comes back later is news again: forget that it was dismissed.
      const kept = new Set(banners.map((banner) => banner.id))
      for (const old of groups.get(group) ?? []) if (!kept.has(old.id)) dismissed.delete(old.id)
      groups.set(group, banners)
      render()
    },
  }
}
