/**
 * `@driftless/events/internal`: the storage format of the event log inside a document, for tools that build
 * or inspect it without `emit` (benchmark fixtures, migrations, debugging). Not covered by semver: the format
 * may change with the package's internal version.
 */
export { encodeEvent, encodeTick, type Entry } from './envelope.js'
export { STREAMS_ROOT, RETIRED_ROOT, streamsOf } from './streams.js'
