import { chromium, type Browser, type BrowserContext } from 'playwright-core'
import { CHROMIUM_ARGS, CHROMIUM_PATH } from '../paths.js'

/** Launches Debian's Chromium headless with the project's flags. */
export const launchChromium = (): Promise<Browser> =>
  chromium.launch({ executablePath: CHROMIUM_PATH, args: CHROMIUM_ARGS, headless: true })

/** A Chromium profile on disk (IndexedDB written to a real directory, as a user's browser does). */
export const launchProfile = (userDataDir: string): Promise<BrowserContext> =>
  chromium.launchPersistentContext(userDataDir, { executablePath: CHROMIUM_PATH, args: CHROMIUM_ARGS, headless: true })
