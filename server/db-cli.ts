/**
 * Backup and restore of the server's database from the command line:
 *   npm run db:backup -- <file>    consistent copy while the server runs (SQLite online backup)
 *   npm run db:restore -- <file>   put a backup in place; the server must be stopped
 *
 * A restore gives the database a new identity (serverId): phones that synced
 * with the old history notice, pull everything again, and re-send what the
 * backup lacks. The database it replaces is kept beside it, never deleted.
 */
import { copyFileSync, existsSync, mkdirSync, renameSync, rmSync } from 'node:fs'
import { dirname, join, resolve } from 'node:path'
import Database from 'better-sqlite3'
import { loadConfig } from './config'
import { isEntry } from './is-entry'
import { migrate, migrations, schemaVersion } from './store/migrations'
import { DATABASE_FILE, renewServerId } from './store/sqlite'

const USAGE = 'usage: npm run db:backup -- <backup file> | npm run db:restore -- <backup file>'

/** A failure that leaves everything as it was; its message is for the operator. */
export class DbCliError extends Error {}

export interface BackupResult {
  file: string
  events: number
}

/**
 * Copy the live database in `dataDir` to `target` with SQLite's online backup:
 * safe while the server runs and writes (what is still in the -wal is included).
 * Throws DbCliError when there is no database or `target` exists already.
 */
export async function backupDatabase(dataDir: string, target: string): Promise<BackupResult> {
  const live = join(dataDir, DATABASE_FILE)
  if (!existsSync(live)) throw new DbCliError(`no database at ${live} (is DATA_DIR right?)`)
  const file = resolve(target)
  if (existsSync(file)) throw new DbCliError(`${file} exists already; choose a new file name`)
  mkdirSync(dirname(file), { recursive: true })
  const db = new Database(live, { fileMustExist: true, readonly: true })
  try {
    await db.backup(file)
  } finally {
    db.close()
  }
  // The copy keeps the live file's WAL mode, and anything that opens it (the count below, an operator's
  // sqlite3) would leave -wal and -shm files beside it: make it one self-contained file.
  const copy = new Database(file, { fileMustExist: true })
  try {
    copy.pragma('journal_mode = DELETE')
  } finally {
    copy.close()
  }
  return { file, events: countEvents(file) }
}

export interface RestoreResult {
  events: number
  lastSeq: number
  serverId: string
  /** Where the replaced database was moved; null when there was none. */
  previous: string | null
}

/**
 * Put `backup` in place as the database in `dataDir`, with a new serverId.
 * Refuses (DbCliError, nothing changed) when `backup` is not a Command Post
 * database this server can open, or while another process (the server) holds
 * the live database. The replaced database is moved to
 * `command-post.sqlite.before-restore-<time>`, its -wal folded in first.
 */
export function restoreDatabase(dataDir: string, backup: string, now: Date = new Date()): RestoreResult {
  const source = resolve(backup)
  checkBackup(source)
  mkdirSync(dataDir, { recursive: true })
  const live = join(dataDir, DATABASE_FILE)
  if (existsSync(live)) releaseLive(live)

  const staged = `${live}.restoring`
  rmSync(staged, { force: true })
  copyFileSync(source, staged)
  let serverId: string
  try {
    const db = new Database(staged)
    try {
      migrate(db)
      serverId = renewServerId(db)
      // One self-contained file: nothing of the copy waits in a -wal of its own.
      db.pragma('journal_mode = DELETE')
    } finally {
      db.close()
    }
  } catch (e) {
    rmSync(staged, { force: true })
    throw e
  }

  let previous: string | null = null
  if (existsSync(live)) {
    previous = `${live}.before-restore-${now.toISOString().replace(/[:.]/g, '-')}`
    renameSync(live, previous)
  }
  // Leftovers of the old database would be read as part of the restored one.
  for (const suffix of ['-wal', '-shm', '-journal']) rmSync(`${live}${suffix}`, { force: true })
  renameSync(staged, live)
  const { events, lastSeq } = summary(live)
  return { events, lastSeq, serverId, previous }
}

/** A readable SQLite file holding Command Post's events, of a schema this server knows. */
function checkBackup(file: string): void {
  if (!existsSync(file)) throw new DbCliError(`backup file ${file} does not exist`)
  let db: Database.Database | undefined
  try {
    db = new Database(file, { readonly: true, fileMustExist: true })
    const version = schemaVersion(db)
    if (version > migrations.length)
      throw new DbCliError(`backup file ${file} is from a newer server (schema ${version}); upgrade this one first`)
    db.prepare('SELECT COUNT(*) FROM events').get()
  } catch (e) {
    if (e instanceof DbCliError) throw e
    throw new DbCliError(`backup file ${file} is not a Command Post database (${(e as Error).message})`)
  } finally {
    db?.close()
  }
}

/**
 * Leaving WAL mode needs every other connection closed, so it fails at once
 * while the server has the database open (even idle): that is the check.
 * When it succeeds the -wal has been folded into the file, so the copy kept
 * as "before restore" is complete.
 */
function releaseLive(live: string): void {
  const db = new Database(live, { fileMustExist: true })
  try {
    db.pragma('busy_timeout = 0')
    db.pragma('journal_mode = DELETE')
  } catch (e) {
    if ((e as { code?: string }).code === 'SQLITE_BUSY' || (e as { code?: string }).code === 'SQLITE_LOCKED')
      throw new DbCliError(`the database ${live} is in use (is the server running?); stop the server first`)
    throw e
  } finally {
    db.close()
  }
}

function countEvents(file: string): number {
  return summary(file).events
}

function summary(file: string): { events: number; lastSeq: number } {
  const db = new Database(file, { readonly: true, fileMustExist: true })
  try {
    const row = db.prepare('SELECT COUNT(*) AS n, COALESCE(MAX(seq), 0) AS last FROM events').get() as {
      n: number
      last: number
    }
    return { events: row.n, lastSeq: row.last }
  } finally {
    db.close()
  }
}

/** The command; returns the exit code (0 done, 1 refused or failed, 2 usage). */
export async function dbCli(
  command: string | undefined,
  argv: string[],
  env: NodeJS.ProcessEnv,
  out: NodeJS.WritableStream,
  err: NodeJS.WritableStream,
): Promise<number> {
  const file = argv[0]
  if ((command !== 'backup' && command !== 'restore') || argv.length !== 1 || !file || file.startsWith('-')) {
    err.write(`${USAGE}\n`)
    return 2
  }
  const { dataDir, databaseUrl } = loadConfig(env)
  if (databaseUrl) {
    err.write(
      `DATABASE_URL is set: the events are in PostgreSQL, not in ${dataDir}. Back up with pg_dump and restore with pg_restore (README, "Running more than one server").\n`,
    )
    return 1
  }
  try {
    if (command === 'backup') {
      const result = await backupDatabase(dataDir, file)
      out.write(`backed up ${result.events} events to ${result.file}\n`)
      return 0
    }
    const result = restoreDatabase(dataDir, file)
    out.write(
      `restored ${result.events} events (last seq ${result.lastSeq}) from ${resolve(file)}\n` +
        `new server id ${result.serverId}: phones pull everything again and re-send what the backup lacks\n` +
        (result.previous ? `the replaced database was kept as ${result.previous}\n` : ''),
    )
    return 0
  } catch (e) {
    err.write(`${e instanceof Error ? e.message : String(e)}\n`)
    return 1
  }
}

if (isEntry(import.meta.url)) {
  void dbCli(process.argv[2], process.argv.slice(3), process.env, process.stdout, process.stderr).then((code) => {
    process.exitCode = code
  })
}
