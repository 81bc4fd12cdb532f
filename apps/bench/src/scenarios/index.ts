import type { Scenario } from '../scenario.js'
import { fanOut } from './fan-out.js'

/** Every scenario, in report order. To add one, write a module exporting a `Scenario` and list it here. */
export const SCENARIOS: readonly Scenario[] = [fanOut]
