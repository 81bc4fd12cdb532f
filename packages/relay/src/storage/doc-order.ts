/**
 * Document ids are ordered by their UTF-8 bytes in every adapter: SQLite compares TEXT bytewise, PostgreSQL
 * stores ids as bytea, and the memory adapter uses `compareDocIds`. So pages of `listDocuments` look the same
 * whichever storage holds them, and an export of one lists documents in the order of an export of another.
 */
export const compareDocIds = (a: string, b: string): number => Buffer.compare(Buffer.from(a, 'utf8'), Buffer.from(b, 'utf8'))

const MAX_CODE_POINT = 0x10ffff

/**
 * The smallest string greater than every string starting with `prefix`, or null when there is none (an empty
 * prefix, or one of only U+10FFFF): turns a prefix match into an index range scan. Works on code points, whose
 * order is the order of their UTF-8 bytes, so the bound is valid UTF-8 too.
 */
export const prefixUpperBound = (prefix: string): string | null => {
  const points = [...prefix].map(char => char.codePointAt(0)!)
  while (points.length > 0 && points.at(-1) === MAX_CODE_POINT) points.pop()
  if (points.length === 0) return null
  let last = points.pop()! + 1
  if (last >= 0xd800 && last <= 0xdfff) last = 0xe000 // surrogates are not characters
  return String.fromCodePoint(...points, last)
}

/** The key range of a list query: ids after `after` (or from `prefix` on), below the prefix's upper bound. */
export interface ListBounds {
  start: string
  /** 1 when `start` itself matches (it is the prefix), 0 when it is the previous page's last id. */
  inclusive: number
  end: string | null
  limit: number
}

export const listBounds = ({ prefix = '', after, limit }: { prefix?: string; after?: string; limit: number }): ListBounds => {
  const afterPrefix = after !== undefined && compareDocIds(after, prefix) >= 0
  return { start: afterPrefix ? after : prefix, inclusive: afterPrefix ? 0 : 1, end: prefixUpperBound(prefix), limit }
}
