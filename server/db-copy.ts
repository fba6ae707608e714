/**
 * Moving a server from SQLite to PostgreSQL:
 *   npm run db:copy -- --from sqlite:./data --to postgres://user:pass@host:5432/commandpost
 *
 * Copies every table of the SQLite database (found in the database, not from
 * a list: a table added later is copied too) into an empty PostgreSQL
 * database, rows as they are: events with the same ids and seq, tokens with
 * their ids and hashes, the server identity (serverId) so phones carry on as
 * if nothing happened. All in one PostgreSQL transaction, verified before it
 * commits: each table's row count and an order-independent digest of its rows
 * must match the source's, or nothing is written. Refuses a target that holds
 * anything already, and a target whose schema differs from the source's.
 *
 * Stop the server before copying: what it stores during the copy is not copied.
 */
import { createHash } from 'node:crypto'
import { existsSync, statSync } from 'node:fs'
import { join, resolve } from 'node:path'
import { parseArgs } from 'node:util'
import Database from 'better-sqlite3'
import pg from 'pg'
import { isEntry } from './is-entry'
import { migrate, migrations, schemaVersion } from './store/migrations'
import { pgMigrate } from './store/pg-migrations'
import { createPool, SEQ_LOCK } from './store/postgres'
import { pgSchema, schemaDifferences, sqliteSchema, type ColumnInfo } from './store/schema-info'
import { DATABASE_FILE, newServerId } from './store/sqlite'

const USAGE = 'usage: npm run db:copy -- --from sqlite:<DATA_DIR or .sqlite file> --to postgres://user@host:5432/db'

/** A refusal that wrote nothing; its message is for the operator. */
export class DbCopyError extends Error {}

/** Rows and digest of one table, the same on both sides after a verified copy. */
export interface TableCopy {
  table: string
  rows: number
  /** Hex SHA-256 XOR of the rows' canonical JSON (order-independent). */
  digest: string
}

export interface CopyResult {
  tables: TableCopy[]
  /** One digest over every table's name, row count and digest. */
  digest: string
  serverId: string
  lastSeq: number
}

/** Rows sent to PostgreSQL per INSERT (kept under its 65,535 parameters). */
const BATCH_ROWS = 500

/**
 * Tables a server writes on its first start, before anything of value (its
 * identity and VAPID keys in meta, the probe's row, and mail_cursor's one row,
 * written by the email migration itself): replaced by the source's rows, not a
 * reason to refuse the target.
 */
const STARTUP_TABLES = new Set(['meta', 'write_probe', 'mail_cursor'])

/** A row's value in a form both engines give alike: booleans as 0/1, bytes as hex, big integers as numbers. */
function canonicalValue(value: unknown): unknown {
  if (value === null || value === undefined) return null
  if (typeof value === 'boolean') return value ? 1 : 0
  if (typeof value === 'bigint') return Number(value)
  if (Buffer.isBuffer(value)) return `\\x${value.toString('hex')}`
  return value
}

/** Accumulates an order-independent digest: XOR of each row's SHA-256 (rows are distinct: every table has a key). */
class TableDigest {
  private readonly acc = Buffer.alloc(32)
  rows = 0

  constructor(private readonly columns: readonly string[]) {}

  add(row: Record<string, unknown>): void {
    const canonical = JSON.stringify(this.columns.map((c) => canonicalValue(row[c])))
    const hash = createHash('sha256').update(canonical).digest()
    for (let i = 0; i < 32; i++) this.acc[i]! ^= hash[i]!
    this.rows++
  }

  get hex(): string {
    return this.acc.toString('hex')
  }
}

function overallDigest(tables: readonly TableCopy[]): string {
  const h = createHash('sha256')
  for (const t of tables) h.update(`${t.table}\t${t.rows}\t${t.digest}\n`)
  return h.digest('hex')
}

/** The SQLite file of `--from sqlite:<path>`: a DATA_DIR folder (its command-post.sqlite) or the file itself. */
export function sqliteFileOf(from: string): string {
  if (!from.startsWith('sqlite:')) throw new DbCopyError(`--from must start with sqlite: (${USAGE})`)
  const path = resolve(from.slice('sqlite:'.length) || '.')
  const file = existsSync(path) && statSync(path).isDirectory() ? join(path, DATABASE_FILE) : path
  if (!existsSync(file)) throw new DbCopyError(`no SQLite database at ${file}`)
  return file
}

/** A value from SQLite as the PostgreSQL column takes it: 0/1 become false/true for BOOLEAN columns. */
function toPg(value: unknown, column: ColumnInfo): unknown {
  if (value === null || value === undefined) return null
  if (column.type === 'boolean') return value !== 0 && value !== false
  return value
}

/**
 * Copies the SQLite database `sqliteFile` into the PostgreSQL database at
 * `url`, verified, in one transaction. Throws DbCopyError (nothing written)
 * when the target is not empty, the schemas differ, or the verification fails.
 * `progress` is told each table as it is copied.
 */
export async function copySqliteToPostgres(
  sqliteFile: string,
  url: string,
  progress: (line: string) => void = () => {},
): Promise<CopyResult> {
  const source = new Database(sqliteFile, { fileMustExist: true })
  const version = schemaVersion(source)
  if (version > migrations.length) {
    source.close()
    throw new DbCopyError(`${sqliteFile} is from a newer server (schema ${version}); upgrade this one first`)
  }
  // Brought to this server's schema first, as starting the server would: the target gets the same version.
  source.pragma('busy_timeout = 5000')
  migrate(source)
  source.prepare("INSERT OR IGNORE INTO meta (key, value) VALUES ('server_id', ?)").run(newServerId())
  const pool = createPool(url, { poolSize: 1, applicationName: 'command-post-db-copy' })
  let client: pg.PoolClient | undefined
  try {
    client = await pool.connect()
    await pgMigrate(client)
    const from = sqliteSchema(source)
    const to = await pgSchema(client)
    const differences = schemaDifferences(from, 'the SQLite database', to, 'PostgreSQL')
    if (differences.length)
      throw new DbCopyError(`the two schemas differ, nothing copied:\n  ${differences.join('\n  ')}`)
    await client.query('BEGIN')
    // No server on the target may store anything meanwhile.
    await client.query('SELECT pg_advisory_xact_lock($1)', [SEQ_LOCK])
    for (const table of to.keys()) {
      if (STARTUP_TABLES.has(table)) continue
      const { rows } = await client.query(`SELECT 1 FROM ${pg.escapeIdentifier(table)} LIMIT 1`)
      if (rows.length)
        throw new DbCopyError(
          `the target database is not empty (table ${table} has rows); copy into a new, empty database`,
        )
    }

    // One read transaction: every table as of the same moment, even if a server still writes to the file.
    source.exec('BEGIN')
    const copied: TableCopy[] = []
    try {
      for (const table of await parentsFirst(client, [...to.keys()])) {
        const copy = await copyTable(source, client, table, to.get(table)!)
        copied.push(copy)
        progress(`${table}: ${copy.rows} rows`)
      }
    } finally {
      source.exec('COMMIT')
    }
    await resetIdentities(client)

    // Read back inside the same transaction: commit only what matches.
    for (const expected of copied) {
      const found = await digestPg(client, expected.table, to.get(expected.table)!)
      if (found.rows !== expected.rows || found.digest !== expected.digest)
        throw new DbCopyError(
          `verification failed for ${expected.table}: ${found.rows} rows (digest ${found.digest}) in PostgreSQL, ${expected.rows} (digest ${expected.digest}) in SQLite; nothing copied`,
        )
    }
    const ids = await client.query<{ value: string }>("SELECT value FROM meta WHERE key = 'server_id'")
    const last = await client.query<{ seq: number }>('SELECT COALESCE(MAX(seq), 0)::bigint AS seq FROM events')
    await client.query('COMMIT')
    return { tables: copied, digest: overallDigest(copied), serverId: ids.rows[0]!.value, lastSeq: last.rows[0]!.seq }
  } catch (e) {
    await client?.query('ROLLBACK').catch(() => {})
    throw e
  } finally {
    client?.release()
    await pool.end()
    source.close()
  }
}

async function copyTable(
  source: Database.Database,
  client: pg.ClientBase,
  table: string,
  columns: readonly ColumnInfo[],
): Promise<TableCopy> {
  const names = columns.map((c) => c.name)
  const digest = new TableDigest(names)
  const quoted = names.map((n) => pg.escapeIdentifier(n)).join(', ')
  // A server's own start-up rows (its identity) give way to the source's.
  if (STARTUP_TABLES.has(table)) await client.query(`DELETE FROM ${pg.escapeIdentifier(table)}`)
  let batch: unknown[][] = []
  const flush = async () => {
    if (!batch.length) return
    const values: unknown[] = []
    const tuples = batch.map((row) => {
      const start = values.length
      values.push(...row)
      return `(${row.map((_, i) => `$${start + i + 1}`).join(', ')})`
    })
    await client.query(`INSERT INTO ${pg.escapeIdentifier(table)} (${quoted}) VALUES ${tuples.join(', ')}`, values)
    batch = []
  }
  const select = source.prepare(`SELECT ${names.map((n) => `"${n.replace(/"/g, '""')}"`).join(', ')} FROM "${table}"`)
  for (const row of select.iterate() as IterableIterator<Record<string, unknown>>) {
    digest.add(row)
    batch.push(columns.map((c) => toPg(row[c.name], c)))
    if (batch.length >= BATCH_ROWS) await flush()
  }
  await flush()
  return { table, rows: digest.rows, digest: digest.hex }
}

/**
 * `tables` ordered so that a table comes after every table its foreign keys
 * point at (runbook_versions after runbooks), by name otherwise.
 */
async function parentsFirst(client: pg.ClientBase, tables: readonly string[]): Promise<string[]> {
  const { rows } = await client.query<{ child: string; parent: string }>(
    `SELECT c.relname AS child, p.relname AS parent FROM pg_constraint k
     JOIN pg_class c ON c.oid = k.conrelid JOIN pg_class p ON p.oid = k.confrelid
     WHERE k.contype = 'f' AND k.connamespace = current_schema()::regnamespace`,
  )
  const ordered: string[] = []
  const placing = new Set<string>()
  const place = (table: string) => {
    if (ordered.includes(table) || placing.has(table)) return
    placing.add(table)
    for (const r of rows) if (r.child === table && r.parent !== table) place(r.parent)
    ordered.push(table)
  }
  for (const table of [...tables].sort()) place(table)
  return ordered.filter((t) => tables.includes(t))
}

/** Identity columns (tokens.id, admin_audit.id) continue after the highest id copied. */
async function resetIdentities(client: pg.ClientBase): Promise<void> {
  const { rows } = await client.query<{ table_name: string; column_name: string }>(
    `SELECT table_name, column_name FROM information_schema.columns
     WHERE table_schema = current_schema() AND is_identity = 'YES'`,
  )
  for (const { table_name: t, column_name: c } of rows) {
    const table = pg.escapeIdentifier(t)
    const column = pg.escapeIdentifier(c)
    await client.query(
      `SELECT setval(pg_get_serial_sequence($1, $2), COALESCE(MAX(${column}), 1), MAX(${column}) IS NOT NULL) FROM ${table}`,
      [t, c],
    )
  }
}

/**
 * Row count and digest of a PostgreSQL table, computed as for the source. Read
 * through a cursor, 1,000 rows at a time (a million events do not fit in
 * memory at once); call it inside a transaction.
 */
export async function digestPg(
  client: pg.ClientBase,
  table: string,
  columns: readonly ColumnInfo[],
): Promise<{ rows: number; digest: string }> {
  const names = columns.map((c) => c.name)
  const digest = new TableDigest(names)
  const cursor = pg.escapeIdentifier(`cp_digest_${table}`)
  await client.query(
    `DECLARE ${cursor} NO SCROLL CURSOR FOR SELECT ${names.map((n) => pg.escapeIdentifier(n)).join(', ')} FROM ${pg.escapeIdentifier(table)}`,
  )
  for (;;) {
    const { rows } = await client.query<Record<string, unknown>>(`FETCH 1000 FROM ${cursor}`)
    for (const row of rows) digest.add(row)
    if (rows.length < 1000) break
  }
  await client.query(`CLOSE ${cursor}`)
  return { rows: digest.rows, digest: digest.hex }
}

/** The command; returns the exit code (0 copied, 1 refused or failed, 2 usage). */
export async function dbCopyCli(
  argv: string[],
  out: NodeJS.WritableStream,
  err: NodeJS.WritableStream,
): Promise<number> {
  let values
  try {
    ;({ values } = parseArgs({ args: argv, options: { from: { type: 'string' }, to: { type: 'string' } } }))
  } catch (e) {
    err.write(`${e instanceof Error ? e.message : String(e)}\n${USAGE}\n`)
    return 2
  }
  if (!values.from || !values.to || !/^postgres(ql)?:\/\//.test(values.to)) {
    err.write(`${USAGE}\n`)
    return 2
  }
  try {
    const file = sqliteFileOf(values.from)
    const result = await copySqliteToPostgres(file, values.to, (line) => out.write(`copied ${line}\n`))
    out.write(
      `verified: every table's row count and digest match (digest ${result.digest})\n` +
        `last seq ${result.lastSeq}; server id ${result.serverId} kept, so phones carry on\n` +
        'start the servers with DATABASE_URL set to the target\n',
    )
    return 0
  } catch (e) {
    err.write(`${e instanceof Error ? e.message : String(e)}\n`)
    return 1
  }
}

if (isEntry(import.meta.url)) {
  void dbCopyCli(process.argv.slice(2), process.stdout, process.stderr).then((code) => {
    process.exitCode = code
  })
}
