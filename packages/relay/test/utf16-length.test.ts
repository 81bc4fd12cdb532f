import { describe, expect, it } from 'vitest'
import { createRng } from '@driftless/testkit/support'
import { utf16LengthOfUtf8 } from '../src/utf16-length.js'

// As lib0 decodes Yjs strings: strict, and a leading BOM is text.
const strict = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true })
const expected = (bytes: Uint8Array): number => {
  try {
    return strict.decode(bytes).length
  } catch {
    return -1
  }
}

describe('utf16LengthOfUtf8', () => {
  it('counts code units of well-formed text', () => {
    const text = 'a ü 中 😀 \uFEFF\u{10FFFF}\u0000'
    const bytes = new TextEncoder().encode(`xx${text}yy`)
    expect(utf16LengthOfUtf8(bytes, 2, bytes.length - 2)).toBe(text.length)
  })

  it('refuses overlong forms, surrogates, code points past U+10FFFF and cut sequences', () => {
    for (const bad of [[0xc0, 0x80], [0xe0, 0x80, 0x80], [0xed, 0xa0, 0x80], [0xf4, 0x90, 0x80, 0x80], [0xf5, 0x80, 0x80, 0x80], [0xe4, 0xb8], [0x80], [0xff]]) {
      expect(utf16LengthOfUtf8(Uint8Array.from(bad), 0, bad.length)).toBe(-1)
      expect(expected(Uint8Array.from(bad))).toBe(-1)
    }
  })

  it('agrees with a strict TextDecoder on random bytes', () => {
    const rng = createRng(7)
    // Bytes drawn mostly from lead and continuation ranges, so that many samples are valid.
    const pool = [0x41, 0x7f, 0x80, 0x8f, 0x90, 0x9f, 0xa0, 0xbf, 0xc2, 0xdf, 0xe0, 0xe4, 0xed, 0xef, 0xf0, 0xf3, 0xf4, 0xf5, 0xc0]
    let valid = 0
    for (let sample = 0; sample < 20_000; sample++) {
      const bytes = Uint8Array.from({ length: rng.int(0, 8) }, () => pool[rng.int(0, pool.length - 1)]!)
      const want = expected(bytes)
      if (want >= 0) valid++
      expect(utf16LengthOfUtf8(bytes, 0, bytes.length)).toBe(want)
    }
    expect(valid).toBeGreaterThan(1000)
  })
})
