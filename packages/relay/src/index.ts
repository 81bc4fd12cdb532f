export { createRelay, type Relay, type RelayStats } from './relay.js'
export type { BrokerOption, RelayOptions, AuthOptions, AuthorizeContext, Access } from './options.js'
export { RelayError } from './errors.js'
export { StorageError, BrokerError, type StorageErrorCode, type BrokerErrorCode } from './adapter-errors.js'
export { AdminError, AdminErrorStatus, type AdminErrorCode, type AdminOptions } from './admin/index.js'
export { MissingDependencyError } from './optional-dependency.js'
export { signToken, type SignTokenOptions, type DocsClaim } from './auth.js'
export {
  createStorage, createMemoryStorage, createSqliteStorage, createPostgresStorage,
  type StorageOption, type SqliteStorageOptions, type PostgresStorageOptions, type RelayStorage, type StoredUpdate, type PendingWrite,
  type DocumentSummary, type ListQuery, type Tombstone,
} from './storage/index.js'
export { createLocalBroker } from './broker/local.js'
export { createRedisBroker, type RedisBroker, type RedisBrokerOptions } from './broker/redis.js'
export type { BrokerControl, RelayBroker } from './broker/types.js'
export { isValidUpdate } from './validate.js'
export type {
  RelayHooks, HookOptions, HookName, HookConnection, CommitOrigin, LoadPayload, AfterCommitPayload, ChangePayload,
  SubscriptionPayload, DocumentPayload,
} from './hooks/types.js'
export { signWebhook, verifyWebhook, SIGNATURE_HEADER, WebhookConfigError, type WebhookEvent, type WebhookDeliveryOptions } from './webhooks/index.js'
export type { RelayOutbox, OutboxEntry, NewOutboxEntry, AppendOptions, WebhookEventType } from './storage/outbox-types.js'
