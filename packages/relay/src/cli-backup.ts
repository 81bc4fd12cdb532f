import { join, resolve } from 'node:path'
import { parseArgs } from 'node:util'
import { exportBackup, importBackup } from './backup.js'
import { createStorage, type StorageOption } from './storage/index.js'

export const BACKUP_HELP = `driftless-relay export|import: back up documents, or move them between storages

  driftless-relay export --data DIR [--doc ID] > backup.ndjson
  driftless-relay export --storage postgres://… [--doc ID] > backup.ndjson
  driftless-relay import --data DIR < backup.ndjson
  driftless-relay import --storage postgres://… < backup.ndjson

Options:
  --data <dir>        data directory of the SQLite storage (<dir>/relay.db)   (default ./.driftless)
  --storage <url>     sqlite (default) | postgres://user:pass@host/db; also DRIFTLESS_STORAGE
  --doc <id>          export only this document (and its tombstone)
Run import with the relay stopped. The format is described in the relay's README.
`

/** `export` / `import`: runs the subcommand on the storage named by `--data` / `--storage`. */
export const runBackupCommand = async (command: 'export' | 'import', argv: string[]): Promise<void> => {
  const { values } = parseArgs({
    args: argv,
    options: { data: { type: 'string' }, storage: { type: 'string' }, doc: { type: 'string' }, help: { type: 'boolean' } },
  })
  if (values.help === true) {
    process.stdout.write(BACKUP_HELP)
    return
  }
  const storageArg = values.storage ?? (process.env['DRIFTLESS_STORAGE'] || 'sqlite')
  let option: StorageOption
  if (/^postgres(ql)?:\/\//.test(storageArg)) option = { kind: 'postgres', url: storageArg }
  else if (storageArg === 'sqlite') option = { kind: 'sqlite', path: join(resolve(values.data ?? '.driftless'), 'relay.db') }
  else throw new Error(`invalid --storage ${storageArg} (sqlite | postgres://…)`)
  if (command === 'import' && values.doc !== undefined) throw new Error('--doc is for export only')
  const storage = createStorage(option)
  try {
    if (command === 'export') {
      const { documents, tombstones } = await exportBackup(storage, process.stdout, values.doc)
      process.stderr.write(`exported ${documents} documents, ${tombstones} tombstones\n`)
    } else {
      const { documents, tombstones, skippedDeleted } = await importBackup(storage, process.stdin)
      process.stderr.write(`imported ${documents} documents, ${tombstones} tombstones\n`)
      if (skippedDeleted.length > 0) process.stderr.write(`skipped ${skippedDeleted.length} documents deleted in the target: ${skippedDeleted.join(', ')}\n`)
    }
  } finally {
    await storage.close()
  }
}
