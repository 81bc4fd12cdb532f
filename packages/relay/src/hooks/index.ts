export { HookRunner, type HookRunnerDeps } from './runner.js'
export { clientOrigin, SEED_ORIGIN, SERVER_ORIGIN } from './connection.js'
export type * from './types.js'
