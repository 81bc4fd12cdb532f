// Server code and tests using the published packages.
import { createRelay, MissingDependencyError, signToken, type RelayOptions } from '@driftless/relay'

const options: RelayOptions = { port: 0, storage: { kind: 'memory' }, logLevel: 'silent' }
const relay = await createRelay(options)
// @ts-expect-error there is no such storage kind
await createRelay({ storage: { kind: 'mysql' } })
const token: string = await signToken({ secret: 's3cret', docs: { 'board-42': 'write' }, expiresIn: '1h' })
console.log(relay.url, token, MissingDependencyError.name)
await relay.close()
