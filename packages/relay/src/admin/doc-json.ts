import * as Y from 'yjs'

/** A root type as `doc.share` holds it. */
type RootType = NonNullable<ReturnType<Y.Doc['share']['get']>>

/** What a root type holds, as far as its stored structs tell. */
export type RootKind = 'map' | 'array' | 'text' | 'xml' | 'unknown'

/**
 * An update does not record which kind of shared type a root is (`doc.getMap('m')` and `doc.getText('m')`
 * write the same root name); only its items say it. A root is
 * - `text` if any item holds a string, format or embed (only `Y.Text` makes those),
 * - `xml` if any item is an XML element, XML text or hook (children of a `Y.XmlFragment`),
 * - `array` if any item holds JSON values, binary, a subdocument or another shared type,
 * - `map` if it has keyed entries only,
 * - `unknown` if every item was deleted and garbage-collected, which leaves no trace of the kind.
 */
export const rootKind = (type: RootType): RootKind => {
  let kind: RootKind = 'unknown'
  for (let item = type._start; item !== null; item = item.right) {
    const content = item.content
    if (content instanceof Y.ContentString || content instanceof Y.ContentFormat || content instanceof Y.ContentEmbed) return 'text'
    if (content instanceof Y.ContentType && (content.type instanceof Y.XmlElement || content.type instanceof Y.XmlText || content.type instanceof Y.XmlHook)) {
      kind = 'xml'
    } else if (!(content instanceof Y.ContentDeleted) && kind === 'unknown') kind = 'array'
  }
  if (kind === 'unknown' && type._map.size > 0) return 'map'
  return kind
}

/**
 * The document's root types as plain JSON: `Y.Map` → object, `Y.Array` → array, `Y.Text` → string,
 * `Y.XmlFragment` → its XML string, a root of unknown kind → null. Nested shared types convert the same way;
 * binary values become base64 strings and subdocuments `{ guid }`.
 */
export const documentJson = (update: Uint8Array): Record<string, unknown> => {
  const doc = new Y.Doc({ gc: false })
  Y.applyUpdate(doc, update)
  const out: Record<string, unknown> = {}
  for (const [name, type] of [...doc.share]) {
    const kind = rootKind(type)
    out[name] = kind === 'map' ? doc.getMap(name).toJSON()
      : kind === 'array' ? doc.getArray(name).toJSON()
        : kind === 'text' ? doc.getText(name).toString()
          : kind === 'xml' ? doc.getXmlFragment(name).toString()
            : null
  }
  doc.destroy()
  return JSON.parse(JSON.stringify(out, plainValue)) as Record<string, unknown>
}

const plainValue = (_key: string, value: unknown): unknown => {
  if (value instanceof Uint8Array) return Buffer.from(value.buffer, value.byteOffset, value.byteLength).toString('base64')
  if (value instanceof Y.Doc) return { guid: value.guid }
  return value
}
