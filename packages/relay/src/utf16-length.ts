/**
 * The length in UTF-16 code units (JavaScript's `string.length`) of the text that `bytes[start, end)` encode
 * as UTF-8, or -1 when they are not UTF-8 in the strict form a fatal `TextDecoder` accepts (no overlong
 * forms, no surrogates, nothing past U+10FFFF). Reads the bytes in place: no string, no view is made.
 */
export const utf16LengthOfUtf8 = (bytes: Uint8Array, start: number, end: number): number => {
  let units = 0
  let i = start
  while (i < end) {
    const lead = bytes[i]!
    if (lead < 0x80) {
      i++
      units++
      continue
    }
    // The allowed range of the second byte narrows for the leads that could start an overlong form, a
    // surrogate or a code point past U+10FFFF.
    let size: number
    let low = 0x80
    let high = 0xbf
    if (lead >= 0xc2 && lead <= 0xdf) size = 2
    else if (lead >= 0xe0 && lead <= 0xef) {
      size = 3
      if (lead === 0xe0) low = 0xa0
      else if (lead === 0xed) high = 0x9f
    } else if (lead >= 0xf0 && lead <= 0xf4) {
      size = 4
      if (lead === 0xf0) low = 0x90
      else if (lead === 0xf4) high = 0x8f
    } else return -1
    if (i + size > end) return -1
    const second = bytes[i + 1]!
    if (second < low || second > high) return -1
    for (let k = 2; k < size; k++) {
      const next = bytes[i + k]!
      if (next < 0x80 || next > 0xbf) return -1
    }
    i += size
    // A code point past the Basic Multilingual Plane is a surrogate pair.
    units += size === 4 ? 2 : 1
  }
  return units
}
