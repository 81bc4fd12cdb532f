// @vitest-environment node
import { readdirSync, readFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { expect, test } from 'vitest'

const here = (path: string): string => fileURLToPath(new URL(`../${path}`, import.meta.url))
const readme = readFileSync(here('README.md'), 'utf8')
const examples = readdirSync(here('examples')).map((file) => readFileSync(here(`examples/${file}`), 'utf8'))

// The examples are type-checked and linted with the package; every README snippet must be cut from one of them.
test.each([...readme.matchAll(/```tsx[^\n]*\n([\s\S]*?)```/g)].map((match, index) => [index + 1, match[1]!]))(
  'README tsx snippet %i is part of a compiled example',
  (_, snippet) => {
    expect(examples.some((example) => example.includes(snippet.trimEnd()))).toBe(true)
  },
)
