import { cleanup, render, screen } from '@testing-library/react'
import { useState, version } from 'react'
import { version as domVersion } from 'react-dom'
import { afterEach, expect, test } from 'vitest'

afterEach(cleanup)

// `npm test` runs every test of this package twice: project react-19 and project react-18 (see vitest.config.ts).
test('each run renders with the React major it is named after, react-dom matching', () => {
  expect(version.split('.')[0]).toBe(process.env.DRIFTLESS_REACT_MAJOR)
  expect(domVersion).toBe(version)
})

// A Testing Library bound to another copy of React would fail here: hooks throw under a foreign renderer.
test('Testing Library renders through that same React', () => {
  function Version() {
    const [shown] = useState(version)
    return <p data-testid="version">{shown}</p>
  }
  render(<Version />)
  expect(screen.getByTestId('version').textContent).toBe(version)
})
