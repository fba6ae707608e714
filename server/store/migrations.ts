/**
 * SQLite schema, as an append-only list of migrations. PRAGMA user_version holds
 * how many have run. Never edit or reorder a shipped migration: add one.
 */
import type Database from 'better-sqlite3'

export const migrations: readonly string[] = [
  // 1: events and access tokens.
  `
  CREATE TABLE events (
    seq INTEGER PRIMARY KEY AUTOINCREMENT, -- AUTOINCREMENT: a seq is never reused, so client cursors stay valid
    id TEXT NOT NULL UNIQUE,
    incident_id TEXT NOT NULL,
    hlc TEXT NOT NULL,
    body TEXT NOT NULL,                    -- canonical JSON of the event, without seq
    received_at TEXT NOT NULL
  );
  CREATE TABLE tokens (
    id INTEGER PRIMARY KEY,
    name TEXT NOT NULL,
    hash BLOB NOT NULL UNIQUE,             -- SHA-256 of the token; the token itself is never stored
    created_at TEXT NOT NULL,
    last_used_at TEXT,
    revoked_at TEXT
  );
  `,
  // 2: each incident's declarations, for the declaration rule checked on every append.
  // Partial: only declaration rows are indexed, so it stays small and writes of other events skip it.
  `
  CREATE INDEX events_declarations ON events (incident_id)
    WHERE json_extract(body, '$.type') = 'incident.declared';
  `,
  // 3: reserved for the sender branch (receivedFrom); at merge its SQL takes this place.
  '',
  // 4: the database's identity (key 'server_id'), written by openDatabase when missing and
  // replaced by npm run db:restore, so phones notice that the server's history changed.
  `
  CREATE TABLE meta (
    key TEXT PRIMARY KEY,
    value TEXT NOT NULL
  );
  `,
  // 5: daily storage usage per token (quotas, counted in the append's transaction), and the
  // one-row table the storage health probe writes to.
  `
  CREATE TABLE usage (
    day TEXT NOT NULL,                     -- UTC day, YYYY-MM-DD
    token_id INTEGER NOT NULL,
    events INTEGER NOT NULL,
    bytes INTEGER NOT NULL,                -- UTF-8 bytes of the stored bodies
    PRIMARY KEY (day, token_id)
  ) WITHOUT ROWID;
  CREATE TABLE write_probe (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    at TEXT NOT NULL
  );
  `,
]

export function schemaVersion(db: Database.Database): number {
  return db.pragma('user_version', { simple: true }) as number
}

/** Brings the database up to the latest version, one transaction per migration. */
export function migrate(db: Database.Database, list: readonly string[] = migrations): number {
  const current = schemaVersion(db)
  if (current > list.length) {
    throw new Error(
      `database schema version ${current} is newer than this server knows (${list.length}); upgrade the server`,
    )
  }
  for (let version = current; version < list.length; version++) {
    db.transaction(() => {
      db.exec(list[version]!)
      db.pragma(`user_version = ${version + 1}`)
    })()
  }
  return schemaVersion(db)
}
