import { hydrateRoot } from 'react-dom/client'
import { App, configFrom } from './app.js'

hydrateRoot(document.getElementById('root')!, <App config={configFrom(window.location.search)} />, {
  onRecoverableError: (error) => console.error(`hydration: ${error instanceof Error ? error.message : String(error)}`),
})
