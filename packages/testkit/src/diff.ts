/** One place where two JSON-like values differ. */
export interface Difference {
  /** JSONPath-like location, e.g. `$.columns[1].cards[0].text`. */
  path: string
  /** The value in the reference state (`undefined`: missing there). */
  expected: unknown
  /** The value in the other state (`undefined`: missing there). */
  actual: unknown
}

/**
 * Whether two states read from tabs are the same: equal as JSON, with object key order ignored and array
 * order not (a `Date` compares by its JSON text, `undefined` members count as missing).
 */
export function sameState(a: unknown, b: unknown): boolean {
  return findDifferences(a, b, 1).length === 0
}

/** Lists where `actual` differs from `expected`, deepest first found, at most `limit` entries. */
export function findDifferences(expected: unknown, actual: unknown, limit = 20): Difference[] {
  const found: Difference[] = []
  const walk = (a: unknown, b: unknown, path: string): void => {
    if (found.length >= limit) return
    if (a === b || Object.is(a, b)) return
    const bothArrays = Array.isArray(a) && Array.isArray(b)
    const bothObjects = isPlainObject(a) && isPlainObject(b)
    if (bothArrays) {
      const length = Math.max(a.length, b.length)
      for (let i = 0; i < length; i++) walk(a[i], b[i], `${path}[${i}]`)
      return
    }
    if (bothObjects) {
      const keys = [...new Set([...Object.keys(a), ...Object.keys(b)])].sort()
      for (const key of keys) walk(a[key], b[key], `${path}${/^[A-Za-z_$][\w$]*$/.test(key) ? `.${key}` : `[${JSON.stringify(key)}]`}`)
      return
    }
    if (typeof a === 'object' && a !== null && typeof b === 'object' && b !== null && JSON.stringify(a) === JSON.stringify(b)) return
    found.push({ path, expected: a, actual: b })
  }
  walk(expected, actual, '$')
  return found
}

/** Formats differences as indented lines: `$.a[0]: expected "x", got "y"`. */
export function formatDifferences(differences: readonly Difference[]): string {
  return differences
    .map(({ path, expected, actual }) => `    ${path}: expected ${show(expected)}, got ${show(actual)}`)
    .join('\n')
}

function show(value: unknown): string {
  if (value === undefined) return '(missing)'
  const text = JSON.stringify(value)
  return text.length > 120 ? `${text.slice(0, 117)}...` : text
}

/** An object compared member by member; other objects (a `Date`, typed arrays) compare by their JSON text. */
function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false
  const prototype: unknown = Object.getPrototypeOf(value)
  return prototype === Object.prototype || prototype === null
}
