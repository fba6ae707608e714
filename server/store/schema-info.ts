/**
 * What tables and columns each engine's database holds, read from the
 * database itself (never from a list kept by hand): npm run db:copy copies
 * every table found, and the store contract test fails when the two engines'
 * schemas differ, so a table added to one engine only cannot be left behind.
 */
import type Database from 'better-sqlite3'
import type pg from 'pg'
import { PG_BOOKKEEPING_TABLES } from './pg-migrations'

/** A column and the engine's name of its type (lower case: `integer`, `text`, `bytea`, `boolean`, …). */
export interface ColumnInfo {
  name: string
  type: string
}

/** Table name → its columns, tables and columns sorted by name. */
export type SchemaInfo = Map<string, ColumnInfo[]>

const byName = (a: { name: string }, b: { name: string }) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0)

function sorted(tables: Map<string, ColumnInfo[]>): SchemaInfo {
  return new Map([...tables].sort(([a], [b]) => (a < b ? -1 : 1)).map(([t, cols]) => [t, [...cols].sort(byName)]))
}

/** Every table of a SQLite database but SQLite's own (`sqlite_…`, e.g. sqlite_sequence of AUTOINCREMENT). */
export function sqliteSchema(db: Database.Database): SchemaInfo {
  const tables = db
    .prepare<[], { name: string }>("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'")
    .all()
  const info = new Map<string, ColumnInfo[]>()
  for (const { name } of tables) {
    const columns = db
      .prepare<[string], { name: string; type: string }>('SELECT name, type FROM pragma_table_info(?)')
      .all(name)
    info.set(
      name,
      columns.map((c) => ({ name: c.name, type: c.type.toLowerCase() })),
    )
  }
  return sorted(info)
}

/** Every table of the current schema of a PostgreSQL database but this engine's bookkeeping (schema_migrations). */
export async function pgSchema(client: pg.ClientBase): Promise<SchemaInfo> {
  const { rows } = await client.query<{ table_name: string; column_name: string; data_type: string }>(
    `SELECT c.table_name, c.column_name, c.data_type
     FROM information_schema.columns c JOIN information_schema.tables t
       ON t.table_schema = c.table_schema AND t.table_name = c.table_name
     WHERE c.table_schema = current_schema() AND t.table_type = 'BASE TABLE'`,
  )
  const info = new Map<string, ColumnInfo[]>()
  for (const row of rows) {
    if ((PG_BOOKKEEPING_TABLES as readonly string[]).includes(row.table_name)) continue
    const list = info.get(row.table_name) ?? []
    list.push({ name: row.column_name, type: row.data_type.toLowerCase() })
    info.set(row.table_name, list)
  }
  return sorted(info)
}

/** Tables and columns only: types differ by engine on purpose (INTEGER 0/1 vs BOOLEAN, BLOB vs BYTEA). */
export function shapeOf(schema: SchemaInfo): Record<string, string[]> {
  return Object.fromEntries([...schema].map(([t, cols]) => [t, cols.map((c) => c.name)]))
}

/** Sentences naming what one schema has that the other lacks; empty when both have the same tables and columns. */
export function schemaDifferences(a: SchemaInfo, aName: string, b: SchemaInfo, bName: string): string[] {
  const out: string[] = []
  for (const [table, cols] of a) {
    const other = b.get(table)
    if (!other) {
      out.push(`table ${table} is in ${aName} but not in ${bName}`)
      continue
    }
    for (const c of cols)
      if (!other.some((o) => o.name === c.name))
        out.push(`column ${table}.${c.name} is in ${aName} but not in ${bName}`)
    for (const o of other)
      if (!cols.some((c) => c.name === o.name)) out.push(`column ${table}.${o.name} is in ${bName} but not in ${aName}`)
  }
  for (const table of b.keys()) if (!a.has(table)) out.push(`table ${table} is in ${bName} but not in ${aName}`)
  return out
}
