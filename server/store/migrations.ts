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
  // 3: who sent each event, and what each token may do (issue #11 item 2).
  // Events stored before this have no sender (NULL): they were sent before the server recorded it.
  `
  ALTER TABLE events ADD COLUMN sender_token_id INTEGER;  -- tokens.id of the authenticated sender
  ALTER TABLE events ADD COLUMN sender_name TEXT;         -- that token's name when the event was stored
  CREATE INDEX events_sender ON events (sender_token_id) WHERE sender_token_id IS NOT NULL;
  ALTER TABLE tokens ADD COLUMN read_only INTEGER NOT NULL DEFAULT 0;
  ALTER TABLE tokens ADD COLUMN admin INTEGER NOT NULL DEFAULT 0;
  ALTER TABLE tokens ADD COLUMN wipe INTEGER NOT NULL DEFAULT 0; -- revoked with wipe: answer 'wiped' at its next contact
  CREATE TABLE admin_audit (
    id INTEGER PRIMARY KEY,
    at TEXT NOT NULL,
    actor_token_id INTEGER,               -- NULL: the command line on the server
    actor_name TEXT NOT NULL,
    action TEXT NOT NULL,                 -- issue, read_only, revoke, revoke_wipe
    target TEXT NOT NULL,                 -- the token name acted on
    detail TEXT
  );
  `,
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
  // 6: Web Push and status links (issue #15 items 1 and 3). The VAPID keys are the meta row
  // 'vapid_keys' (JSON). Each notice is claimed by one INSERT into push_claims before it is sent,
  // so with several nodes on one database exactly one sends it. events_incident serves the
  // server's per-incident reads (status pages, notices).
  `
  CREATE INDEX events_incident ON events (incident_id, seq);
  CREATE TABLE push_subscriptions (
    endpoint TEXT PRIMARY KEY,             -- the push service URL
    token_id INTEGER NOT NULL,             -- tokens.id that registered it; dies with it
    p256dh TEXT NOT NULL,
    auth TEXT NOT NULL,
    person_id TEXT,                        -- the phone's actor id
    person_name TEXT NOT NULL,
    topics TEXT NOT NULL,                  -- space-separated topic names
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
  );
  CREATE INDEX push_subscriptions_token ON push_subscriptions (token_id);
  CREATE TABLE push_claims (
    key TEXT PRIMARY KEY,                  -- due:<incident>:<ms> or event:<id>:<topic>
    claimed_at TEXT NOT NULL
  );
  CREATE INDEX push_claims_at ON push_claims (claimed_at);
  CREATE TABLE status_links (
    id INTEGER PRIMARY KEY,
    incident_id TEXT,                      -- NULL: the team-wide page of open incidents
    hash BLOB NOT NULL UNIQUE,             -- SHA-256 of the link's token; the token is never stored
    created_at TEXT NOT NULL,
    created_by TEXT NOT NULL,
    token_id INTEGER,
    revoked_at TEXT
  );
  CREATE INDEX status_links_incident ON status_links (incident_id);
  `,
  // 7 (issue #15, audiences and email; 6 is push and status, merged before it): the email outbox,
  // and events by incident id, so the mailer folds the directory (incident id 'directory')
  // and an incident without reading the whole log. Times in ms since the epoch.
  `
  -- events_incident (incident_id, seq) comes from migration 6.
  CREATE TABLE mail_cursor (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    seq INTEGER NOT NULL                   -- the highest events.seq the mailer has looked at
  );
  -- No update stored before this migration names an audience: the mailer starts after them.
  INSERT INTO mail_cursor (id, seq) SELECT 1, COALESCE(MAX(seq), 0) FROM events;
  CREATE TABLE mail_jobs (
    event_id TEXT PRIMARY KEY,             -- the update.posted being emailed
    incident_id TEXT NOT NULL,
    node TEXT NOT NULL,                    -- the server process holding it
    lease_until INTEGER NOT NULL,          -- past it, another process may take the job over
    attempts INTEGER NOT NULL,
    claimed_at INTEGER NOT NULL,
    report_id TEXT,                        -- the update.emailed written when done; NULL while not done
    done_at INTEGER
  );
  CREATE INDEX mail_jobs_open ON mail_jobs (lease_until) WHERE done_at IS NULL;
  CREATE TABLE mail_recipients (
    event_id TEXT NOT NULL,
    email TEXT NOT NULL,                   -- lower-cased
    position INTEGER NOT NULL,             -- claim order, for the report
    state TEXT NOT NULL,                   -- claimed (written before sending), sent, failed
    answer TEXT,                           -- the SMTP answer or the error
    claimed_at INTEGER NOT NULL,
    finished_at INTEGER,
    PRIMARY KEY (event_id, email)
  );
  `,
  // 8 (issue #16; 6 is push and status, 7 audiences and email):
  // runbooks as append-only series of versions. Portable SQL: the PostgreSQL store runs it too.
  `
  CREATE TABLE runbooks (
    id TEXT PRIMARY KEY,
    created_at TEXT NOT NULL,
    published_version INTEGER,             -- NULL until a version is published
    latest_version INTEGER NOT NULL
  );
  CREATE TABLE runbook_versions (
    runbook_id TEXT NOT NULL REFERENCES runbooks (id),
    version INTEGER NOT NULL,
    source TEXT NOT NULL,                  -- the Markdown as written; rendered only by the sanitising pipeline
    title TEXT NOT NULL,
    review_by TEXT,                        -- YYYY-MM-DD
    author_name TEXT NOT NULL,             -- token name, or 'repository'
    author_token_id INTEGER,               -- NULL for the repository
    created_at TEXT NOT NULL,
    note TEXT NOT NULL,
    base_version INTEGER,
    published_at TEXT,                     -- set once when published, never changed
    published_by TEXT,
    PRIMARY KEY (runbook_id, version)
  );
  `,
  // 9 (issue #16 review): a proposal is stored once per idempotency key sent by the phone,
  // so a proposal sent again after its answer was lost is not stored twice. Portable SQL.
  `
  ALTER TABLE runbook_versions ADD COLUMN proposal_id TEXT;
  CREATE UNIQUE INDEX runbook_versions_proposal ON runbook_versions (proposal_id) WHERE proposal_id IS NOT NULL;
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
