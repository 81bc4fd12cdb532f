// What the repository tests need to know about the workspace: its root and its publishable packages.
import { execFileSync } from 'node:child_process'
import { readFileSync, readdirSync } from 'node:fs'
import { join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'

export const root = resolve(fileURLToPath(new URL('../..', import.meta.url)))

/** Every non-private package under packages/, with its tarball name and public import specifiers. */
export function publishablePackages() {
  return readdirSync(join(root, 'packages')).flatMap((dir) => {
    const manifest = JSON.parse(readFileSync(join(root, 'packages', dir, 'package.json'), 'utf8'))
    if (manifest.private) return []
    const entries = Object.keys(manifest.exports).map((key) => (key === '.' ? manifest.name : `${manifest.name}/${key.slice(2)}`))
    const tarball = `${manifest.name.replace(/^@/, '').replace('/', '-')}-${manifest.version}.tgz`
    return [{ name: manifest.name, dir: `packages/${dir}`, manifest, entries, tarball }]
  })
}

/** The paths inside a tarball. */
export function listTarball(file) {
  return execFileSync('tar', ['-tzf', file], { encoding: 'utf8' }).split('\n').filter(Boolean)
}
