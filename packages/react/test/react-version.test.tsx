import { version } from 'react'
import { version as domVersion } from 'react-dom'
import { expect, test } from 'vitest'

// `npm test` runs every test of this package twice: project react-19 and project react-18 (see vitest.config.ts).
test('each run renders with the React major it is named after, react-dom matching', () => {
  expect(version.split('.')[0]).toBe(process.env.DRIFTLESS_REACT_MAJOR)
  expect(domVersion).toBe(version)
})
