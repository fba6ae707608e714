/**
 * The Store on an embedded SQLite file (better-sqlite3). WAL with
 * synchronous=FULL: a commit returns only after the WAL is fsynced, so an event
 * answered "accepted" survives a power cut.
 */
import { randomBytes } from 'node:crypto'
import { mkdirSync, statfsSync } from 'node:fs'
import { dirname, join } from 'node:path'
import Database from 'better-sqlite3'
import { refusalFor } from '../../src/domain/declaration'
import { QuotaExceededError, StorageFaultError, storageFaultOf, type DailyQuota } from './faults'
import { migrate } from './migrations'
import { EVENT_COLUMNS, toSequenced, type EventRow } from './rows'
import { SqliteRunbooks } from './sqlite-runbooks'

import { SqliteComms } from './sqlite-comms'

import { sqliteMailStore } from './sqlite-mail'
import type {
  PushSubscriptionRecord,
  StatusLinkRecord,
  VapidKeys,
  AppendOptions,
  AdminAction,
  DeviceSeen,
  TokenOverview,
  AppendOutcome,
  AppendResult,
  EventPage,
  NewEvent,
  NewRunbookVersion,
  RunbookHead,
  RunbookVersionMeta,
  RunbookVersionRecord,
  SequencedEvent,
  StoredDeclaration,
  MailJobClaim,
  MailRecipient,
  MailStore,
  Store,
  TokenGrants,
  TokenRecord,
} from './types'

export const DATABASE_FILE = 'command-post.sqlite'

/**
 * Days of quota usage rows kept, today included. Quotas read only today's
 * rows; the days before stay a week for an operator reading the table, and
 * older ones are deleted by the first counted write of each day, so the table
 * holds at most this many days × tokens rows however long the server runs.
 */
export const USAGE_KEEP_DAYS = 7

/** The oldest UTC day (`YYYY-MM-DD`) whose usage is kept when today is `day`. */
function firstKeptDay(day: string): string {
  const ms = Date.parse(`${day}T00:00:00Z`) - (USAGE_KEEP_DAYS - 1) * 86_400_000
  return new Date(ms).toISOString().slice(0, 10)
}

interface TokenRow {
  id: number
  name: string
  hash: Buffer
  created_at: string
  last_used_at: string | null
  read_only: number
  admin: number
}

const TOKEN_COLUMNS = 'id, name, hash, created_at, last_used_at, read_only, admin'

const toRecord = (row: TokenRow): TokenRecord => ({
  id: row.id,
  name: row.name,
  createdAt: row.created_at,
  lastUsedAt: row.last_used_at,
  readOnly: row.read_only === 1,
  admin: row.admin === 1,
})

interface DeviceRow extends DeviceSeen {
  tokenId: number
  latest: number
}

interface AuditRow {
  at: string
  actor_token_id: number | null
  actor_name: string
  action: string
  target: string
  detail: string | null
}

/** Opens (creating if needed) the database in `dataDir`, or `:memory:` for tests, migrated and configured. */
export function openDatabase(dataDir: string): Database.Database {
  let file: string = dataDir
  if (dataDir !== ':memory:') {
    mkdirSync(dataDir, { recursive: true })
    file = join(dataDir, DATABASE_FILE)
  }
  const db = new Database(file)
  db.pragma('journal_mode = WAL')
  db.pragma('synchronous = FULL')
  // The token CLI writes from another process while the server runs: wait, don't fail.
  db.pragma('busy_timeout = 5000')
  migrate(db)
  // A database made before migration 4, or just created: it gets its identity now.
  db.prepare("INSERT OR IGNORE INTO meta (key, value) VALUES ('server_id', ?)").run(newServerId())
  return db
}

/** A fresh database identity: 128 random bits, base64url (22 characters). */
export function newServerId(): string {
  return randomBytes(16).toString('base64url')
}

/**
 * Gives the database a new identity (npm run db:restore): phones that synced
 * with the old one pull everything again and re-send what this copy lacks.
 * Returns the new id.
 */
export function renewServerId(db: Database.Database): string {
  const id = newServerId()
  db.prepare("INSERT OR REPLACE INTO meta (key, value) VALUES ('server_id', ?)").run(id)
  return id
}

/** `dataDir` is a folder, or `:memory:` for a database that lives only as long as the process (tests). */
export function openSqliteStore(dataDir: string): Store {
  return new SqliteStore(openDatabase(dataDir))
}

/** A Store on an open, migrated database: tests keep `db` to inject faults (max_page_count, query_only). */
export function sqliteStore(db: Database.Database): Store {
  return new SqliteStore(db)
}

/** The first limit of `quota` that `used` plus `adding` would go over, as the error to throw. */
function quotaBreach(
  quota: DailyQuota,
  token: { events: number; bytes: number },
  server: { events: number; bytes: number },
  adding: { events: number; bytes: number },
): QuotaExceededError | null {
  const over = (limit: number, used: number, more: number) => limit > 0 && used + more > limit
  if (over(quota.tokenEvents, token.events, adding.events))
    return new QuotaExceededError('token', 'events', quota.tokenEvents)
  if (over(quota.tokenBytes, token.bytes, adding.bytes))
    return new QuotaExceededError('token', 'bytes', quota.tokenBytes)
  if (over(quota.serverEvents, server.events, adding.events))
    return new QuotaExceededError('server', 'events', quota.serverEvents)
  if (over(quota.serverBytes, server.bytes, adding.bytes))
    return new QuotaExceededError('server', 'bytes', quota.serverBytes)
  return null
}

interface Usage {
  events: number
  bytes: number
}

/**
 * Whether a stored body and a new one are the same event. Bodies stored before
 * texts were NFC-normalised may differ from a re-sent copy only by that: the
 * same event, so a duplicate, not a conflict. Normalising the whole JSON is
 * safe: keys, ids and stamps are ASCII, and no JSON delimiter composes with a mark.
 */
function sameContent(stored: string, incoming: string): boolean {
  return stored === incoming || stored.normalize('NFC') === incoming.normalize('NFC')
}

class SqliteStore implements Store {
  private readonly insertEvent
  private readonly bodyById
  private readonly declaration
  private readonly after
  private readonly maxSeq
  private readonly idAtSeq
  private readonly serverIdRow
  private readonly appendBatch
  private readonly tokenUsage
  private readonly serverUsage
  private readonly addUsage
  private readonly pruneUsage
  /** The day whose first counted write already deleted the usage rows that fell out of the window. */
  private usagePrunedFor: string | null = null
  private readonly probe
  /** Where a file database lives, for the free-space check; null in memory. */
  private readonly dir: string | null
  /** The email outbox's statements (store/sqlite-mail.ts). */
  private readonly mail: MailStore

  private readonly insertTokenStmt
  private readonly activeByHash
  private readonly readOnly
  private readonly wipedByHash
  private readonly allTokens
  private readonly devices
  private readonly insertAudit
  private readonly audit
  private readonly activeById
  private readonly touch
  private readonly activeByName
  private readonly revoke
  private readonly listActive
  private readonly count
  private readonly incidentEvents
  private readonly eventByIdStmt
  /** Push subscriptions, notice claims, VAPID keys, status links (migration 6). */
  private readonly comms: SqliteComms

  /** Runbook versions (issue #16), in their own file. */
  private readonly runbooks: SqliteRunbooks

  constructor(private readonly db: Database.Database) {
    this.runbooks = new SqliteRunbooks(db)

    this.comms = new SqliteComms(db)
    // Served by the index events_incident (migration 6).
    this.incidentEvents = db.prepare<[string], EventRow>(
      `SELECT ${EVENT_COLUMNS} FROM events WHERE incident_id = ? ORDER BY seq`,
    )
    this.eventByIdStmt = db.prepare<[string], EventRow>(`SELECT ${EVENT_COLUMNS} FROM events WHERE id = ?`)

    this.mail = sqliteMailStore(db)
    this.insertEvent = db.prepare<[string, string, string, string, string, number | null, string | null]>(
      `INSERT INTO events (id, incident_id, hlc, body, received_at, sender_token_id, sender_name)
       VALUES (?, ?, ?, ?, ?, ?, ?)`,
    )
    this.bodyById = db.prepare<[string], { body: string }>('SELECT body FROM events WHERE id = ?')
    // Same WHERE as the partial index events_declarations (migration 2), so SQLite uses it.
    this.declaration = db.prepare<[string], StoredDeclaration>(
      `SELECT id, hlc, seq FROM events
       WHERE incident_id = ? AND json_extract(body, '$.type') = 'incident.declared'
       ORDER BY seq LIMIT 1`,
    )
    this.after = db.prepare<[number, number], EventRow>(
      `SELECT ${EVENT_COLUMNS} FROM events WHERE seq > ? ORDER BY seq LIMIT ?`,
    )
    this.maxSeq = db.prepare<[], { seq: number | null }>('SELECT MAX(seq) AS seq FROM events')
    this.idAtSeq = db.prepare<[number], { id: string }>('SELECT id FROM events WHERE seq = ?')
    this.serverIdRow = db.prepare<[], { value: string }>("SELECT value FROM meta WHERE key = 'server_id'")

    this.tokenUsage = db.prepare<[string, number], Usage>(
      'SELECT events, bytes FROM usage WHERE day = ? AND token_id = ?',
    )
    this.serverUsage = db.prepare<[string], { events: number | null; bytes: number | null }>(
      'SELECT SUM(events) AS events, SUM(bytes) AS bytes FROM usage WHERE day = ?',
    )
    this.addUsage = db.prepare<[string, number, number, number]>(
      `INSERT INTO usage (day, token_id, events, bytes) VALUES (?, ?, ?, ?)
       ON CONFLICT (day, token_id) DO UPDATE SET events = events + excluded.events, bytes = bytes + excluded.bytes`,
    )
    this.pruneUsage = db.prepare<[string]>('DELETE FROM usage WHERE day < ?')
    this.probe = db.prepare<[string]>('INSERT OR REPLACE INTO write_probe (id, at) VALUES (1, ?)')
    this.dir = db.memory ? null : dirname(db.name)

    // One transaction per batch: one fsync for up to 500 events.
    this.appendBatch = db.transaction((events: readonly NewEvent[], options?: AppendOptions): AppendOutcome[] => {
      const receivedAt = new Date().toISOString()
      const outcomes = events.map((e): AppendOutcome => {
        // Look first: a conflicting INSERT would still use up an AUTOINCREMENT value and leave a gap in seq.
        const existing = this.bodyById.get(e.id)
        if (existing) return sameContent(existing.body, e.body) ? 'duplicate' : 'conflict'
        // Read inside this transaction: an earlier event of the batch, or another push, already counts.
        const refusal = refusalFor(e, this.declaration.get(e.incidentId) ?? null)
        if (refusal) return refusal
        const from = e.receivedFrom
        this.insertEvent.run(e.id, e.incidentId, e.hlc, e.body, receivedAt, from?.tokenId ?? null, from?.name ?? null)
        return 'accepted'
      })
      if (options) this.countUsage(events, outcomes, options)
      return outcomes
    })

    this.insertTokenStmt = db.prepare<[string, Buffer, string, number, number], TokenRow>(
      `INSERT INTO tokens (name, hash, created_at, read_only, admin) VALUES (?, ?, ?, ?, ?) RETURNING ${TOKEN_COLUMNS}`,
    )
    this.activeByHash = db.prepare<[Buffer], TokenRow>(
      `SELECT ${TOKEN_COLUMNS} FROM tokens WHERE hash = ? AND revoked_at IS NULL`,
    )
    this.readOnly = db.prepare<[number, string], { id: number }>(
      'UPDATE tokens SET read_only = ? WHERE name = ? AND revoked_at IS NULL RETURNING id',
    )
    this.activeById = db.prepare<[number], { id: number }>('SELECT id FROM tokens WHERE id = ? AND revoked_at IS NULL')
    this.touch = db.prepare<[string, number]>('UPDATE tokens SET last_used_at = ? WHERE id = ?')
    this.activeByName = db.prepare<[string], { id: number }>(
      'SELECT id FROM tokens WHERE name = ? AND revoked_at IS NULL',
    )
    this.revoke = db.prepare<[string, number, string]>(
      'UPDATE tokens SET revoked_at = ?, wipe = ? WHERE name = ? AND revoked_at IS NULL',
    )
    this.wipedByHash = db.prepare<[Buffer], { id: number }>(
      'SELECT id FROM tokens WHERE hash = ? AND revoked_at IS NOT NULL AND wipe = 1',
    )
    this.allTokens = db.prepare<[], TokenRow & { revoked_at: string | null; wipe: number }>(
      `SELECT ${TOKEN_COLUMNS}, revoked_at, wipe FROM tokens ORDER BY name, id`,
    )
    // Same WHERE as the partial index events_sender (migration 3).
    this.devices = db.prepare<[], DeviceRow>(
      // With one max() in the query, SQLite takes the bare columns (name, received_at) from the latest row.
      `SELECT sender_token_id AS tokenId, json_extract(body, '$.actor.id') AS actorId,
              json_extract(body, '$.actor.name') AS actorName, received_at AS lastAt,
              COUNT(*) AS events, MAX(seq) AS latest
       FROM events WHERE sender_token_id IS NOT NULL
       GROUP BY sender_token_id, actorId ORDER BY latest DESC`,
    )
    this.insertAudit = db.prepare<[string, number | null, string, string, string, string | null]>(
      'INSERT INTO admin_audit (at, actor_token_id, actor_name, action, target, detail) VALUES (?, ?, ?, ?, ?, ?)',
    )
    this.audit = db.prepare<[number], AuditRow>(
      'SELECT at, actor_token_id, actor_name, action, target, detail FROM admin_audit ORDER BY id DESC LIMIT ?',
    )
    this.listActive = db.prepare<[], TokenRow>(
      `SELECT ${TOKEN_COLUMNS} FROM tokens WHERE revoked_at IS NULL ORDER BY id`,
    )
    this.count = db.prepare<[], { n: number }>('SELECT COUNT(*) AS n FROM tokens')
  }

  /**
   * Adds the batch's accepted events to the token's usage of the day, inside
   * the append's transaction; throwing here rolls the whole batch back.
   */
  private countUsage(events: readonly NewEvent[], outcomes: readonly AppendOutcome[], options: AppendOptions): void {
    const adding = { events: 0, bytes: 0 }
    outcomes.forEach((outcome, i) => {
      if (outcome !== 'accepted') return
      adding.events++
      adding.bytes += Buffer.byteLength(events[i]!.body)
    })
    // Only duplicates or refusals: nothing stored, nothing counted, never refused for quota.
    if (adding.events === 0) return
    const token = this.tokenUsage.get(options.day, options.tokenId) ?? { events: 0, bytes: 0 }
    const sums = this.serverUsage.get(options.day)
    const server = { events: sums?.events ?? 0, bytes: sums?.bytes ?? 0 }
    const breach = quotaBreach(options.quota, token, server, adding)
    if (breach) throw breach
    // Once a day, in the same transaction: a rolled-back batch leaves the pruning to the next write.
    if (this.usagePrunedFor !== options.day) this.pruneUsage.run(firstKeptDay(options.day))
    this.addUsage.run(options.day, options.tokenId, adding.events, adding.bytes)
  }

  async appendEvents(events: readonly NewEvent[], options?: AppendOptions): Promise<AppendResult> {
    try {
      const outcomes = events.length ? this.appendBatch(events, options) : []
      // Committed: the day's pruning (if countUsage ran it) is done.
      if (options && outcomes.includes('accepted')) this.usagePrunedFor = options.day
      return { outcomes, lastSeq: this.maxSeq.get()?.seq ?? 0 }
    } catch (e) {
      const reason = storageFaultOf(e)
      throw reason ? new StorageFaultError(reason, e) : e
    }
  }

  async probeWrite(headroomBytes: number): Promise<void> {
    try {
      this.probe.run(new Date().toISOString())
    } catch (e) {
      const reason = storageFaultOf(e)
      throw reason ? new StorageFaultError(reason, e) : e
    }
    // The tiny write above fits in a page already there; a push needs new ones.
    const pragma = (name: string) => this.db.pragma(name, { simple: true }) as number
    const freePages = pragma('max_page_count') - pragma('page_count') + pragma('freelist_count')
    if (freePages * pragma('page_size') < headroomBytes) throw new StorageFaultError('disk_full')
    if (this.dir) {
      const fs = statfsSync(this.dir)
      if (fs.bavail * fs.bsize < headroomBytes) throw new StorageFaultError('disk_full')
    }
  }

  async readEventsAfter(after: number, limit: number): Promise<EventPage> {
    // One row more than asked tells whether there is more, without a COUNT.
    const rows = this.after.all(after, limit + 1)
    const more = rows.length > limit
    const events = rows.slice(0, limit).map(toSequenced)
    return { events, more }
  }

  async declarationOf(incidentId: string): Promise<StoredDeclaration | null> {
    return this.declaration.get(incidentId) ?? null
  }

  async readIncidentEvents(incidentId: string): Promise<SequencedEvent[]> {
    return this.incidentEvents.all(incidentId).map(toSequenced)
  }

  async eventById(id: string): Promise<SequencedEvent | null> {
    const row = this.eventByIdStmt.get(id)
    return row ? toSequenced(row) : null
  }

  async lastSeq(): Promise<number> {
    return this.maxSeq.get()?.seq ?? 0
  }

  async eventIdAt(seq: number): Promise<string | null> {
    return this.idAtSeq.get(seq)?.id ?? null
  }

  async serverId(): Promise<string> {
    return this.serverIdRow.get()!.value
  }

  async insertToken(name: string, hash: Buffer, createdAt: string, grants: TokenGrants = {}): Promise<TokenRecord> {
    return toRecord(this.insertTokenStmt.get(name, hash, createdAt, grants.readOnly ? 1 : 0, grants.admin ? 1 : 0)!)
  }

  async setReadOnly(name: string, readOnly: boolean): Promise<number[]> {
    return this.readOnly.all(readOnly ? 1 : 0, name).map((r) => r.id)
  }

  async findActiveToken(hash: Buffer): Promise<(TokenRecord & { hash: Buffer }) | null> {
    const row = this.activeByHash.get(hash)
    return row ? { ...toRecord(row), hash: row.hash } : null
  }

  async isTokenActive(id: number): Promise<boolean> {
    return this.activeById.get(id) !== undefined
  }

  async touchToken(id: number, at: string): Promise<void> {
    this.touch.run(at, id)
  }

  async revokeTokens(name: string, at: string, wipe = false): Promise<number[]> {
    return this.db.transaction(() => {
      const ids = this.activeByName.all(name).map((r) => r.id)
      this.revoke.run(at, wipe ? 1 : 0, name)
      return ids
    })()
  }

  async isWipedToken(hash: Buffer): Promise<boolean> {
    return this.wipedByHash.get(hash) !== undefined
  }

  async listTokensWithDevices(): Promise<TokenOverview[]> {
    const byToken = new Map<number, DeviceSeen[]>()
    for (const { tokenId, latest: _latest, ...device } of this.devices.all()) {
      const list = byToken.get(tokenId) ?? []
      list.push(device)
      byToken.set(tokenId, list)
    }
    return this.allTokens.all().map((row) => ({
      ...toRecord(row),
      revokedAt: row.revoked_at,
      wipe: row.wipe === 1,
      devices: byToken.get(row.id) ?? [],
    }))
  }

  async recordAdminAction(a: AdminAction): Promise<void> {
    this.insertAudit.run(a.at, a.actorTokenId, a.actorName, a.action, a.target, a.detail ?? null)
  }

  async listAdminActions(limit: number): Promise<AdminAction[]> {
    return this.audit.all(limit).map((r) => ({
      at: r.at,
      actorTokenId: r.actor_token_id,
      actorName: r.actor_name,
      action: r.action as AdminAction['action'],
      target: r.target,
      ...(r.detail !== null && { detail: r.detail }),
    }))
  }

  async listActiveTokens(): Promise<TokenRecord[]> {
    return this.listActive.all().map(toRecord)
  }

  async countTokens(): Promise<number> {
    return this.count.get()?.n ?? 0
  }

  listRunbooks(): Promise<RunbookHead[]> {
    return this.runbooks.listRunbooks()
  }

  runbookHead(id: string): Promise<RunbookHead | null> {
    return this.runbooks.runbookHead(id)
  }

  runbookHistory(id: string): Promise<RunbookVersionMeta[]> {
    return this.runbooks.runbookHistory(id)
  }

  runbookVersion(id: string, version: number): Promise<RunbookVersionRecord | null> {
    return this.runbooks.runbookVersion(id, version)
  }

  addRunbookVersion(
    version: NewRunbookVersion,
    mode: 'create' | 'append',
  ): Promise<RunbookVersionRecord | 'exists' | 'missing'> {
    return this.runbooks.addRunbookVersion(version, mode)
  }

  publishRunbookVersion(
    id: string,
    version: number,
    by: string,
    at: string,
    expectedPublished: number | null,
  ): Promise<'published' | 'moved' | 'already' | 'missing'> {
    return this.runbooks.publishRunbookVersion(id, version, by, at, expectedPublished)
  }

  async ensureVapidKeys(candidate: VapidKeys): Promise<VapidKeys> {
    return this.comms.ensureVapidKeys(candidate)
  }

  async savePushSubscription(sub: PushSubscriptionRecord, at: string): Promise<void> {
    this.comms.savePushSubscription(sub, at)
  }

  async deletePushSubscription(endpoint: string, tokenId?: number): Promise<boolean> {
    return this.comms.deletePushSubscription(endpoint, tokenId)
  }

  async listPushSubscriptions(): Promise<PushSubscriptionRecord[]> {
    return this.comms.listPushSubscriptions()
  }

  async deletePushSubscriptionsOfRevokedTokens(): Promise<number> {
    return this.comms.deletePushSubscriptionsOfRevokedTokens()
  }

  async claimPushNotice(key: string, at: string): Promise<boolean> {
    return this.comms.claimPushNotice(key, at)
  }

  async forgetPushClaims(before: string): Promise<number> {
    return this.comms.forgetPushClaims(before)
  }

  async insertStatusLink(link: Parameters<SqliteComms['insertStatusLink']>[0]): Promise<StatusLinkRecord> {
    return this.comms.insertStatusLink(link)
  }

  async findStatusLink(hash: Buffer): Promise<StatusLinkRecord | null> {
    return this.comms.findStatusLink(hash)
  }

  async statusLinkById(id: number): Promise<StatusLinkRecord | null> {
    return this.comms.statusLinkById(id)
  }

  async listStatusLinks(incidentId: string | null): Promise<StatusLinkRecord[]> {
    return this.comms.listStatusLinks(incidentId)
  }

  async revokeStatusLink(id: number, at: string): Promise<boolean> {
    return this.comms.revokeStatusLink(id, at)
  }

  // The email outbox (MailStore), on store/sqlite-mail.ts's statements.
  mailCursor(): Promise<number> {
    return this.mail.mailCursor()
  }

  advanceMailCursor(seq: number): Promise<void> {
    return this.mail.advanceMailCursor(seq)
  }

  claimMailJob(claim: MailJobClaim): Promise<boolean> {
    return this.mail.claimMailJob(claim)
  }

  renewMailJob(eventId: string, node: string, leaseUntil: number): Promise<boolean> {
    return this.mail.renewMailJob(eventId, node, leaseUntil)
  }

  mailJobAttempts(eventId: string): Promise<number> {
    return this.mail.mailJobAttempts(eventId)
  }

  finishMailJob(eventId: string, node: string, reportId: string): Promise<void> {
    return this.mail.finishMailJob(eventId, node, reportId)
  }

  expiredMailJobs(now: number, limit: number): Promise<string[]> {
    return this.mail.expiredMailJobs(now, limit)
  }

  claimMailRecipients(eventId: string, emails: readonly string[], now: number): Promise<string[]> {
    return this.mail.claimMailRecipients(eventId, emails, now)
  }

  finishMailRecipient(
    eventId: string,
    email: string,
    state: 'sent' | 'failed',
    answer: string,
    now: number,
  ): Promise<void> {
    return this.mail.finishMailRecipient(eventId, email, state, answer, now)
  }

  releaseMailRecipients(eventId: string, emails: readonly string[]): Promise<void> {
    return this.mail.releaseMailRecipients(eventId, emails)
  }

  mailRecipients(eventId: string): Promise<MailRecipient[]> {
    return this.mail.mailRecipients(eventId)
  }

  async close(): Promise<void> {
    if (this.db.open) this.db.close()
  }
}
