export * from '../src/index.js'
export { streamsOf as streamsOfForTests } from '../src/streams.js'
