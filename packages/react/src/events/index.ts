export { useEventLog, useProjection, useEmit } from './hooks.js'
export type { Emit, ProjectionSnapshot } from './hooks.js'
