import type { Scenario } from '../scenario.js'
import { adminWrite } from './admin-write.js'
import { browserPersistence } from './browser-persistence.js'
import { capacity } from './capacity.js'
import { durability } from './durability.js'
import { durableAck } from './durable-ack.js'
import { events } from './events.js'
import { fanOut } from './fan-out.js'
import { hooksOverhead } from './hooks-overhead.js'
import { largeDoc } from './large-doc.js'
import { manyDocs } from './many-docs.js'
import { partition } from './partition.js'
import { scaleOut } from './scale-out.js'
import { tabs } from './tabs.js'
import { versions } from './versions.js'

/** Every scenario, in report order. To add one, write a module exporting a `Scenario` and list it here. */
export const SCENARIOS: readonly Scenario[] = [fanOut, manyDocs, largeDoc, durability, durableAck, adminWrite, browserPersistence, partition, tabs, events, scaleOut, hooksOverhead, capacity, versions]
