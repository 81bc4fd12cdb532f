// @vitest-environment node
import { describe, expect, test } from 'vitest'
import { editorBudget, entries, kib, measure, measureEditor, withYjs } from '../scripts/bundle.js'

// Bundle sizes are deterministic for a given source and lockfile: a change that makes a bundle outgrow its
// documented budget (README, "Bundle size") fails here, and either finds bytes to cut or raises the budget openly.
describe('bundle size', () => {
  test.each([
    ['replica', entries.replica], ['replica + presence', entries['replica + presence']], ['react', entries.react],
    ['replica + react', entries['replica + react']],
  ] as const)(
    '%s stays within its gzip budget',
    async (_, { source, external, budget }) => {
      const { gzip } = await measure(source, external)
      expect(gzip, `${kib(gzip)} gzip against a budget of ${kib(budget)}`).toBeLessThanOrEqual(budget)
    },
  )

  test('presence is bundled only by apps that import it', async () => {
    const awareness = (modules: string[]): boolean => modules.some((path) => path.endsWith('y-protocols/awareness.js'))
    expect(awareness((await measure(entries.replica.source, entries.replica.external)).modules)).toBe(false)
    const withPresence = entries['replica + presence']
    expect(awareness((await measure(withPresence.source, withPresence.external)).modules)).toBe(true)
  })

  test('an app importing Yjs, the replica and the bindings bundles exactly one copy of Yjs', async () => {
    const { source, external } = withYjs['yjs + replica + react']
    expect((await measure(source, external)).yjsCopies).toBe(1)
  })

  test('in the editor\'s production build, Driftless stays within its budget and Yjs is there once', async () => {
    const editor = await measureEditor()
    expect(editor.driftlessModules.some((id) => id.endsWith('packages/replica/src/replica.ts'))).toBe(true)
    expect(editor.driftlessModules.some((id) => id.endsWith('packages/react/src/hooks.ts'))).toBe(true)
    const { gzip } = editor.driftless
    expect(gzip, `${kib(gzip)} gzip against a budget of ${kib(editorBudget)}`).toBeLessThanOrEqual(editorBudget)
    expect(editor.driftless.yjsCopies + editor.yjs.yjsCopies + editor.rest.yjsCopies).toBe(1)
  })
})
