import { loadDoc, resolveRootKinds, rootOf, type RootKinds } from './roots.js'

/**
 * A version's content as JSON, one property per root type (a Map as an object, an Array as an array, a Text
 * as its string, an XmlFragment as its XML string). Roots whose kind nothing tells (empty) are left out.
 *
 * @example
 * const { board } = versionToJson(versionBytes, { roots: { board: 'Map' } })
 */
export const versionToJson = (version: Uint8Array, options: { roots?: RootKinds } = {}): Record<string, unknown> => {
  const doc = loadDoc(version, 'the version')
  try {
    const json: Record<string, unknown> = {}
    for (const [name, kind] of resolveRootKinds([doc], options.roots)) json[name] = rootOf(doc, name, kind).toJSON()
    return json
  } finally {
    doc.destroy()
  }
}
