import { renderToString } from 'react-dom/server'
import { App, configFrom } from './app.js'

/** The page's markup as the server renders it (no storage, no socket: offline, not loaded). */
export const renderPage = (search: string): string => renderToString(<App config={configFrom(search)} />)
