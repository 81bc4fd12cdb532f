/**
 * Canonical JSON: object keys sorted, `undefined` members left out, so equal states encode equally whatever
 * order their keys were created in. Maps, Sets and class instances are not supported in projection state.
 */
export function canonicalJson(value: unknown): string {
  if (value === null || typeof value !== 'object') {
    // JSON.stringify turns -0 into "0", NaN into "null" and undefined into undefined: we want a string always.
    return JSON.stringify(value) ?? 'null'
  }
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`
  if (value instanceof Uint8Array) return `{"$bytes":[${value.join(',')}]}`
  const record = value as Record<string, unknown>
  const members: string[] = []
  for (const key of Object.keys(record).sort()) {
    const member = record[key]
    if (member !== undefined) members.push(`${JSON.stringify(key)}:${canonicalJson(member)}`)
  }
  return `{${members.join(',')}}`
}

/**
 * 64-bit hash of a string as 16 hex digits: two independent 32-bit FNV-1a lanes (different offset bases).
 * Synchronous and dependency-free, so it runs the same in browsers and Node. Not cryptographic: it exists
 * to notice that two replicas folded different states.
 */
export function hashString(text: string): string {
  let a = 0x811c9dc5
  let b = 0x050c5d1f
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i)
    a = Math.imul(a ^ code, 0x01000193)
    b = Math.imul(b ^ code, 0x01000193) ^ (b >>> 15)
  }
  return (a >>> 0).toString(16).padStart(8, '0') + (b >>> 0).toString(16).padStart(8, '0')
}

/** `hashString(canonicalJson(value))`: the `stateHash` of a projection state. */
export function stateHash(value: unknown): string {
  return hashString(canonicalJson(value))
}
