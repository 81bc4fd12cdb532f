export { sqliteCheckpoints, type SqliteCheckpointsOptions } from './sqlite-checkpoints.js'
