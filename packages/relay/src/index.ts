export { createRelay, type Relay, type RelayStats } from './relay.js'
export type { BrokerOption, RelayOptions, AuthOptions, AuthorizeContext, Access } from './options.js'
export { RelayError } from './errors.js'
export { MissingDependencyError } from './optional-dependency.js'
export { signToken, type SignTokenOptions, type DocsClaim } from './auth.js'
export {
  createStorage, createMemoryStorage, createSqliteStorage, createPostgresStorage, PostgresStorageError,
  type StorageOption, type SqliteStorageOptions, type PostgresStorageOptions, type RelayStorage, type StoredUpdate, type PendingWrite,
} from './storage/index.js'
export { createLocalBroker } from './broker/local.js'
export { createRedisBroker, RedisBrokerError, type RedisBroker, type RedisBrokerOptions } from './broker/redis.js'
export type { RelayBroker } from './broker/types.js'
export { isValidUpdate } from './validate.js'
export type {
  RelayHooks, HookOptions, HookName, HookConnection, CommitOrigin, LoadPayload, AfterCommitPayload, ChangePayload,
  SubscriptionPayload, DocumentPayload,
} from './hooks/types.js'
export { signWebhook, verifyWebhook, SIGNATURE_HEADER, WebhookConfigError, type WebhookEvent, type WebhookDeliveryOptions } from './webhooks/index.js'
export type { RelayOutbox, OutboxEntry, NewOutboxEntry, AppendOptions, WebhookEventType } from './storage/outbox-types.js'
