/**
 * The Store on PostgreSQL (DATABASE_URL=postgres://…), for several stateless
 * API nodes on one database. Driver: `pg` (node-postgres): the most used and
 * longest maintained, with a pool, LISTEN/NOTIFY on a plain client, and typed
 * errors carrying the SQLSTATE; `postgres` (porsager) is fine too but its
 * tagged-template API would make this file read unlike sqlite.ts.
 *
 * The seq invariant across nodes: an append takes a transaction-scoped
 * advisory lock (SEQ_LOCK) before it reads MAX(seq), so appends on every node
 * commit one after the other, in seq order; a reader can never see seq N+1
 * before N. The lock is released by COMMIT or ROLLBACK, and by PostgreSQL when
 * a node dies mid-append (its connection closes).
 *
 * Every append that stores something sends NOTIFY `command_post` with the new
 * last seq, and every revocation the revoked ids: delivered on commit to every
 * node's `watch` (LISTEN on a connection of its own, reconnected by itself).
 *
 * Durability: a commit returns once PostgreSQL has flushed its WAL
 * (synchronous_commit = on, the default; the README says to keep it), so an
 * event answered "accepted" survives a crash of the node or of PostgreSQL.
 */
import { pgMailStore } from './pg-mail'
import { randomBytes } from 'node:crypto'
import pg from 'pg'
import { refusalFor } from '../../src/domain/declaration'
import { QuotaExceededError, StorageFaultError, StorageUnavailableError, type DailyQuota } from './faults'
import { pgMigrate } from './pg-migrations'
import { EVENT_COLUMNS, toSequenced, type EventRow } from './rows'
import { PgComms } from './pg-comms'
import { PgRunbooks } from './pg-runbooks'
import { USAGE_KEEP_DAYS } from './sqlite'
import type {
  AdminAction,
  AppendOptions,
  AppendOutcome,
  AppendPreparation,
  AppendResult,
  DeviceSeen,
  EventPage,
  NewEvent,
  MailJobClaim,
  MailRecipient,
  MailStore,
  NewRunbookVersion,
  PushSubscriptionRecord,
  RunbookHead,
  RunbookVersionMeta,
  RunbookVersionRecord,
  SequencedEvent,
  Store,
  StatusLinkRecord,
  StoreChange,
  StoredDeclaration,
  TokenGrants,
  TokenOverview,
  TokenRecord,
  VapidKeys,
} from './types'

/** Advisory lock key (a bigint, in decimal) serialising seq assignment across every node: "cp:seq" in hex. */
export const SEQ_LOCK = String(0x63703a736571)

/**
 * A statement of every push, sent by name (a node-postgres named statement):
 * each connection parses it once and PostgreSQL may keep one generic plan for
 * it. Sent unnamed, the append's write was planned afresh on every push with
 * its parameters' values folded in, the 500 joined bodies included: 3.2 ms of
 * PostgreSQL's time at Bind, and the batch as a whole took 14.7 ms against
 * 10.0 ms named (500 events, the 2-core machines). The name carries a version:
 * one name, one text, on every connection.
 */
interface NamedStatement {
  name: string
  text: string
}
/**
 * How a stored body says it is a declaration: canonical JSON sorts keys, so
 * `type` is the envelope's last key and the body ends with it. Matched as
 * text, the same predicate as the partial index events_declarations
 * (migration 2): PostgreSQL's JSON functions refuse texts holding \u0000 or a
 * lone surrogate, which valid events may carry.
 */
const DECLARED_SUFFIX = '"type":"incident.declared"}'
/**
 * The bodies of an append (and its ids, incident ids, clocks and sender
 * indexes) travel as one text each, joined by this (U+001E, record
 * separator) and split by PostgreSQL, not as a text[]: pg quotes and escapes
 * every `"` of every body for an array literal, and PostgreSQL unescapes them,
 * which cost the store a fifth of its ingest rate (store alone on 100,000
 * events: 45,000 events/s as text[], 56,000 joined).
 */
const BODY_SEPARATOR = '\x1e'
const SEPARATOR_BYTE = 0x1e
/** Own appends remembered until their NOTIFY comes back (PostgresStore.ownAppends). */
const OWN_APPENDS_KEPT = 1_000

/**
 * The senders of a batch as columns: the distinct senders (few: one for a push) as `tokens` and `names`,
 * and for each event its sender's 1-based index among them, '' for none.
 */
function sendersOf(events: readonly NewEvent[]): { tokens: number[]; names: string[]; indexes: string[] } {
  const seen = new Map<string, number>()
  const tokens: number[] = []
  const names: string[] = []
  const indexes = events.map(({ receivedFrom: from }) => {
    if (!from) return ''
    const key = `${from.tokenId}:${from.name}`
    let index = seen.get(key)
    if (index === undefined) {
      index = tokens.push(from.tokenId)
      names.push(from.name)
      seen.set(key, index)
    }
    return String(index)
  })
  return { tokens, names, indexes }
}
const IS_DECLARATION = `right(body, ${DECLARED_SUFFIX.length}) = '${DECLARED_SUFFIX}'`

/**
 * What an append must know before it judges a batch: the last seq, the stored
 * copies of its ids ($1), its incidents' ($2) declarations, and the day's ($3)
 * usage of the token ($4) and of the server. Read in one statement, so in one
 * snapshot: under the seq lock, or before it (prepareAppend) and then used only
 * if the last seq has not moved.
 */
const APPEND_READ: NamedStatement = {
  name: 'append-read-v1',
  text: `SELECT
   (SELECT COALESCE(MAX(seq), 0) FROM events)::bigint AS max_seq,
   (SELECT json_agg(json_build_array(id, body)) FROM events WHERE id = ANY($1::text[])) AS existing,
   (SELECT json_agg(json_build_array(incident_id, id, hlc, seq)) FROM (
      SELECT DISTINCT ON (incident_id) incident_id, id, hlc, seq FROM events
      WHERE incident_id = ANY($2::text[]) AND ${IS_DECLARATION} ORDER BY incident_id, seq) d) AS declarations,
   (SELECT json_build_array(
      COALESCE(SUM(events) FILTER (WHERE token_id = $4), 0), COALESCE(SUM(bytes) FILTER (WHERE token_id = $4), 0),
      COALESCE(SUM(events), 0), COALESCE(SUM(bytes), 0))
    FROM usage WHERE day = $3) AS usage`,
}

/**
 * The append's write (pg-migrations.ts command_post_append_v1): $1–$16 the
 * rows, usage, pruning and NOTIFY; $17 the last seq the batch was judged
 * against, $18 the seq lock. Answers `written` false, having written nothing,
 * when another append came after that last seq.
 */
const APPEND_WRITE: NamedStatement = {
  name: 'append-write-v2',
  text: `SELECT command_post_append_v1(${Array.from({ length: 18 }, (_, i) => `$${i + 1}`).join(', ')}) AS written`,
}

/** A batch judged against an AppendRead: each event's outcome, the accepted rows with their seqs, what they add. */
interface AppendPlan {
  outcomes: AppendOutcome[]
  rows: { seq: number; e: NewEvent }[]
  /** The last seq once the rows are stored. */
  lastSeq: number
  adding: { events: number; bytes: number }
  /** The day's quota the rows would break, if any (never when there are none). */
  breach: QuotaExceededError | null
}

/**
 * Judges `events` one by one in batch order, as sqlite.ts does (earlier events of the batch count),
 * against `r`, read when the last seq was `lastSeq`.
 */
function planAppend(
  events: readonly NewEvent[],
  r: AppendRead,
  lastSeq: number,
  options: AppendOptions | undefined,
): AppendPlan {
  const stored = new Map(r.existing ?? [])
  // Same predicate as the partial index events_declarations (migration 2).
  const declarations = new Map<string, StoredDeclaration>(
    (r.declarations ?? []).map(([incident, id, hlc, seq]) => [incident, { id, hlc, seq }]),
  )
  let seq = lastSeq
  const rows: { seq: number; e: NewEvent }[] = []
  const outcomes = events.map((e): AppendOutcome => {
    const body = stored.get(e.id)
    if (body !== undefined) return sameContent(body, e.body) ? 'duplicate' : 'conflict'
    const refusal = refusalFor(e, declarations.get(e.incidentId) ?? null)
    if (refusal) return refusal
    seq++
    stored.set(e.id, e.body)
    if (e.type === 'incident.declared') declarations.set(e.incidentId, { id: e.id, hlc: e.hlc, seq })
    rows.push({ seq, e })
    return 'accepted'
  })
  const adding = { events: rows.length, bytes: rows.reduce((n, row) => n + Buffer.byteLength(row.e.body), 0) }
  let breach: QuotaExceededError | null = null
  // Only duplicates or refusals: nothing stored, nothing counted, never refused for quota.
  if (options && rows.length > 0) {
    const [tokenEvents, tokenBytes, serverEvents, serverBytes] = r.usage
    breach = quotaBreach(
      options.quota,
      { events: tokenEvents, bytes: tokenBytes },
      { events: serverEvents, bytes: serverBytes },
      adding,
    )
  }
  return { outcomes, rows, lastSeq: seq, adding, breach }
}

/**
 * `texts` joined by BODY_SEPARATOR as UTF-8 bytes, for a parameter PostgreSQL takes as text (node-postgres
 * sends a Buffer as is, in binary format: a text's bytes). For the bodies: joined as a string (about
 * 220 KB per 500 events) they were copied once more, into a string V8 keeps apart from the rest (a
 * large object, mapped afresh each time), before node-postgres encoded it: 0.6–1 ms per push.
 * `textBytes`: the texts' UTF-8 length together (planAppend counted it for the quota).
 */
function joinedBytes(texts: readonly string[], textBytes: number): Buffer {
  const bytes = Buffer.allocUnsafe(textBytes + Math.max(texts.length - 1, 0))
  let at = 0
  texts.forEach((text, i) => {
    if (i > 0) bytes[at++] = SEPARATOR_BYTE
    at += bytes.write(text, at)
  })
  return bytes
}

/** APPEND_WRITE's parameters for `plan`, judged against `judgedAt` (the last seq before it). */
function appendWriteValues(
  plan: AppendPlan,
  judgedAt: number,
  options: AppendOptions | undefined,
  prune: string | null,
): unknown[] {
  const { rows } = plan
  const senders = sendersOf(rows.map((row) => row.e))
  const joined = (pick: (row: { e: NewEvent }) => string) => rows.map(pick).join(BODY_SEPARATOR)
  return [
    rows[0]!.seq,
    joined((row) => row.e.id),
    joined((row) => row.e.incidentId),
    joined((row) => row.e.hlc),
    joinedBytes(
      rows.map((row) => row.e.body),
      plan.adding.bytes,
    ),
    new Date().toISOString(),
    senders.tokens,
    senders.names,
    options?.day ?? null,
    options?.tokenId ?? null,
    plan.adding.events,
    plan.adding.bytes,
    CHANNEL,
    JSON.stringify({ grew: plan.lastSeq }),
    prune,
    senders.indexes.join(BODY_SEPARATOR),
    judgedAt,
    SEQ_LOCK,
  ]
}

/** APPEND_READ's row: usage is [token events, token bytes, server events, server bytes]. */
interface AppendRead {
  max_seq: number
  existing: [string, string][] | null
  declarations: [string, string, string, number][] | null
  usage: [number, number, number, number]
}

function appendReadValues(ids: string[], incidentIds: string[], options: AppendOptions | undefined): unknown[] {
  return [ids, incidentIds, options?.day ?? null, options?.tokenId ?? null]
}

/**
 * prepareAppend's read, or why it failed: appendEvents answers storage_unavailable at once when PostgreSQL
 * could not be reached, and reads again under the lock after any other failure.
 */
class EarlyRead implements AppendPreparation {
  constructor(
    readonly ids: ReadonlySet<string>,
    readonly incidentIds: ReadonlySet<string>,
    private readonly options: AppendOptions | undefined,
    readonly read: Promise<AppendRead | Error>,
  ) {}

  /** Whether the read holds what appending `events` with `options` needs. */
  covers(events: readonly NewEvent[], options: AppendOptions | undefined): boolean {
    if (options?.day !== this.options?.day || options?.tokenId !== this.options?.tokenId) return false
    return events.every((e) => this.ids.has(e.id) && this.incidentIds.has(e.incidentId))
  }
}

/**
 * The actor of a stored body, read as text for the same reason: canonical
 * JSON starts `{"actor":{"id":"…","name":"…"}`; the id has no quote or
 * backslash (ActorSchema), the name is still JSON-escaped (JSON.parse it).
 */
const ACTOR_ID = `substring(body from '^\\{"actor":\\{"id":"([^"]*)"')`
const ACTOR_NAME_ESCAPED = `substring(body from '^\\{"actor":\\{"id":"[^"]*","name":"((?:[^"\\\\]|\\\\.)*)"')`

/** First half of the two-key advisory locks of scheduled jobs ("job"); the second is hashtext(name). */
const JOB_LOCK_CLASS = 0x6a6f62

/** The NOTIFY channel of the log growing and tokens being revoked. */
export const CHANNEL = 'command_post'

export interface PostgresStoreOptions {
  /** Connections in this node's pool (DATABASE_POOL_SIZE); default 10. */
  poolSize?: number
  /** Milliseconds to wait for a connection before answering 503; default 5,000. */
  connectTimeoutMs?: number
  /** Shown in pg_stat_activity; default `command-post`. */
  applicationName?: string
}

/** node-postgres returns BIGINT as a string (it may pass 2^53); ours (seq, ids, counts) never do. */
const INT8_OID = 20
const TYPES = {
  getTypeParser: ((oid: number, format?: 'text' | 'binary') =>
    oid === INT8_OID
      ? (v: string) => Number(v)
      : (pg.types.getTypeParser(oid, format) as unknown)) as typeof pg.types.getTypeParser,
}

/** SQLSTATEs that mean "the database is not there right now", not "this request is wrong". */
const UNAVAILABLE_STATES = new Set(['57P01', '57P02', '57P03', '53300', '55P03', '40001', '40P01'])
const UNAVAILABLE_ERRNOS = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EPIPE',
  'ENOTFOUND',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'EAI_AGAIN',
])
const UNAVAILABLE_MESSAGES =
  /Connection terminated|connection error and is not queryable|timeout exceeded when trying to connect|Query read timeout/

/**
 * The error to throw for an error of `pg`: StorageUnavailableError when the
 * database cannot be reached or cut the connection (answered 503), a
 * StorageFaultError for a full disk (53100) or a read-only server (25006, a
 * standby), the error itself otherwise (a bug: 500).
 */
export function pgFault(err: unknown): unknown {
  if (err instanceof StorageFaultError || err instanceof QuotaExceededError) return err
  const code = (err as { code?: unknown } | null)?.code
  if (typeof code === 'string') {
    if (code.startsWith('08') || UNAVAILABLE_STATES.has(code) || UNAVAILABLE_ERRNOS.has(code))
      return new StorageUnavailableError(err)
    if (code === '53100') return new StorageFaultError('disk_full', err)
    if (code === '25006') return new StorageFaultError('read_only', err)
    if (code === '58030') return new StorageFaultError('write_failed', err)
  }
  if (err instanceof Error && UNAVAILABLE_MESSAGES.test(err.message)) return new StorageUnavailableError(err)
  return err
}

interface TokenRow {
  id: number
  name: string
  hash: Buffer
  created_at: string
  last_used_at: string | null
  read_only: boolean
  admin: boolean
}

const TOKEN_COLUMNS = 'id, name, hash, created_at, last_used_at, read_only, admin'

/** Every request's token check (TokenService.verify). */
const ACTIVE_TOKEN: NamedStatement = {
  name: 'active-token-v1',
  text: `SELECT ${TOKEN_COLUMNS} FROM tokens WHERE hash = $1 AND revoked_at IS NULL`,
}

/** A page of the log (pulls, streams and the followers of a push on other nodes). */
const EVENTS_AFTER: NamedStatement = {
  name: 'events-after-v1',
  text: `SELECT ${EVENT_COLUMNS} FROM events WHERE seq > $1 ORDER BY seq LIMIT $2`,
}

const toRecord = (row: TokenRow): TokenRecord => ({
  id: row.id,
  name: row.name,
  createdAt: row.created_at,
  lastUsedAt: row.last_used_at,
  readOnly: row.read_only,
  admin: row.admin,
})

/** Same rule as sqlite.ts: a copy stored before NFC normalisation is still the same event. */
function sameContent(stored: string, incoming: string): boolean {
  return stored === incoming || stored.normalize('NFC') === incoming.normalize('NFC')
}

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

/** The oldest UTC day (`YYYY-MM-DD`) whose usage is kept when today is `day` (as sqlite.ts keeps). */
function firstKeptDay(day: string): string {
  const ms = Date.parse(`${day}T00:00:00Z`) - (USAGE_KEEP_DAYS - 1) * 86_400_000
  return new Date(ms).toISOString().slice(0, 10)
}

/** A pool with the store's settings; errors of idle connections (a restart of PostgreSQL) are dropped, not thrown. */
export function createPool(url: string, options: PostgresStoreOptions = {}): pg.Pool {
  const pool = new pg.Pool({
    connectionString: url,
    max: options.poolSize ?? 10,
    connectionTimeoutMillis: options.connectTimeoutMs ?? 5_000,
    application_name: options.applicationName ?? 'command-post',
    // A node that hangs mid-transaction must not hold the seq lock for ever.
    idle_in_transaction_session_timeout: 60_000,
    keepAlive: true,
    types: TYPES,
  })
  // An idle connection PostgreSQL closed: the pool drops it and opens another when needed.
  pool.on('error', () => {})
  return pool
}

/**
 * Opens the store on `url`: migrates (once, under a lock, however many nodes
 * start together), gives a new database its identity, and checks it answers.
 * Rejects when PostgreSQL cannot be reached: a node does not start without it.
 */
export async function openPostgresStore(url: string, options: PostgresStoreOptions = {}): Promise<PostgresStore> {
  const pool = createPool(url, options)
  try {
    const client = await pool.connect()
    try {
      await pgMigrate(client)
      await client.query("INSERT INTO meta (key, value) VALUES ('server_id', $1) ON CONFLICT (key) DO NOTHING", [
        randomBytes(16).toString('base64url'),
      ])
    } finally {
      client.release()
    }
  } catch (e) {
    await pool.end().catch(() => {})
    throw e
  }
  return new PostgresStore(pool, url)
}

type Change = (change: StoreChange) => void

/**
 * LISTEN on a connection of its own. When it drops (PostgreSQL restarted),
 * it reconnects with backoff (0.5 s doubling to 10 s). Each time it starts
 * listening it reports the log's last seq, since notifications sent before
 * were never heard.
 */
class Listener {
  private client: pg.Client | null = null
  private closed = false
  private delayMs = 500
  private timer: NodeJS.Timeout | undefined

  constructor(
    private readonly url: string,
    private readonly emit: Change,
    private readonly lastSeq: () => Promise<number>,
  ) {
    void this.connect()
  }

  private async connect(): Promise<void> {
    if (this.closed) return
    const client = new pg.Client({
      connectionString: this.url,
      application_name: 'command-post-listen',
      keepAlive: true,
    })
    client.on('error', () => this.lost(client))
    client.on('end', () => this.lost(client))
    client.on('notification', (message) => {
      if (message.channel === CHANNEL && message.payload) this.deliver(message.payload)
    })
    this.client = client
    try {
      await client.connect()
      await client.query(`LISTEN ${CHANNEL}`)
    } catch {
      this.lost(client)
      return
    }
    if (this.closed) {
      await client.end().catch(() => {})
      return
    }
    this.delayMs = 500
    // Anything stored before this node listened (or while it did not): streams read on from their cursors.
    this.lastSeq().then(
      (seq) => this.emit({ kind: 'grew', lastSeq: seq }),
      () => {},
    )
  }

  private deliver(payload: string): void {
    let parsed: unknown
    try {
      parsed = JSON.parse(payload)
    } catch {
      return
    }
    const p = parsed as { grew?: unknown; revoked?: unknown }
    if (typeof p.grew === 'number') this.emit({ kind: 'grew', lastSeq: p.grew })
    if (Array.isArray(p.revoked))
      this.emit({ kind: 'revoked', tokenIds: p.revoked.filter((id): id is number => typeof id === 'number') })
  }

  private lost(client: pg.Client): void {
    if (this.client !== client) return
    this.client = null
    client.removeAllListeners('notification')
    void client.end().catch(() => {})
    if (this.closed) return
    this.timer = setTimeout(() => void this.connect(), this.delayMs)
    this.timer.unref()
    this.delayMs = Math.min(this.delayMs * 2, 10_000)
  }

  async close(): Promise<void> {
    this.closed = true
    clearTimeout(this.timer)
    const client = this.client
    this.client = null
    if (client) await client.end().catch(() => {})
  }
}

export class PostgresStore implements Store {
  private listener: Listener | null = null
  private readonly watchers = new Set<Change>()
  /**
   * The last seq of this node's appends, from before their COMMIT until their NOTIFY comes back: not
   * told to watchers, since the append's caller tells it (StreamHub.publish) with the events in hand,
   * and a NOTIFY heard before the COMMIT was answered made this node's followers read the push back
   * from the database. 'heard': its NOTIFY came while committing; 'committed': not heard yet.
   */
  private readonly ownAppends = new Map<number, 'committing' | 'heard' | 'committed'>()
  private closing: Promise<void> | undefined
  /** The day whose first counted write (of this node) already deleted usage rows that fell out of the window. */
  private usagePrunedFor: string | null = null

  /** Runbook versions (issue #16), in their own file as for SQLite. */
  private readonly runbooks: PgRunbooks
  /** Push subscriptions, notice claims, VAPID keys, status links (migration 6), likewise. */
  private readonly comms: PgComms
  /** The email outbox (migration 7), likewise. */
  private readonly mail: MailStore

  constructor(
    /** The pool; tests use it to look inside. */
    readonly pool: pg.Pool,
    private readonly url: string,
  ) {
    const runner = {
      query: <R extends pg.QueryResultRow>(text: string, values?: unknown[]) => this.query<R>(text, values),
      transaction: <T>(fn: (client: pg.PoolClient) => Promise<T>) => this.transaction(fn),
    }
    this.runbooks = new PgRunbooks(runner)
    this.comms = new PgComms(runner)
    this.mail = pgMailStore(runner)
  }

  private async query<R extends pg.QueryResultRow>(
    statement: string | NamedStatement,
    values?: unknown[],
  ): Promise<R[]> {
    try {
      return (
        await this.pool.query<R>(typeof statement === 'string' ? { text: statement, values } : { ...statement, values })
      ).rows
    } catch (e) {
      throw pgFault(e)
    }
  }

  /**
   * A client of the pool, checked out. A connection lost while a client is out
   * fails its query and also emits 'error', which the pool hears only while the
   * client is idle: unheard, that event ends the process (a connection reset
   * under an append's early read did, in postgres.test.ts). Callers act on the
   * failed query, so the event is ignored until the client goes back.
   */
  private async checkOut(): Promise<pg.PoolClient> {
    const client = await this.pool.connect()
    const ignore = () => {}
    client.on('error', ignore)
    const release = client.release.bind(client)
    client.release = (err?: Error | boolean) => {
      client.removeListener('error', ignore)
      release(err)
    }
    return client
  }

  /**
   * `fn` in one transaction, opened by `begin` (one round trip: BEGIN and
   * what must come first); the client is destroyed, not reused, when its
   * connection failed.
   */
  private async transaction<T>(
    fn: (client: pg.PoolClient, begun: pg.QueryResult | pg.QueryResult[]) => Promise<T>,
    begin = 'BEGIN',
  ): Promise<T> {
    let client: pg.PoolClient
    try {
      client = await this.checkOut()
    } catch (e) {
      throw pgFault(e)
    }
    let broken: Error | undefined
    try {
      const begun = (await client.query(begin)) as pg.QueryResult | pg.QueryResult[]
      const result = await fn(client, begun)
      // If COMMIT fails the outcome is unknown: the caller answers 503, never "accepted".
      await client.query('COMMIT')
      return result
    } catch (e) {
      const fault = pgFault(e)
      if (fault instanceof StorageUnavailableError) broken = e as Error
      else await client.query('ROLLBACK').catch(() => {})
      throw fault
    } finally {
      client.release(broken)
    }
  }

  /**
   * Sends the append's read (APPEND_READ) on a connection of its own, before
   * the seq lock, for PostgreSQL to run while the caller validates the batch.
   * See EventStore.prepareAppend.
   */
  async prepareAppend(
    ids: readonly string[],
    incidentIds: readonly string[],
    options?: AppendOptions,
  ): Promise<AppendPreparation> {
    const covered = { ids: new Set(ids), incidentIds: new Set(incidentIds) }
    let read: Promise<AppendRead | Error>
    try {
      // Resolved once the read is on its way: the caller's checks then run while PostgreSQL reads.
      const client = await this.checkOut()
      read = client
        .query<AppendRead>({
          ...APPEND_READ,
          values: appendReadValues([...covered.ids], [...covered.incidentIds], options),
        })
        .then(
          (result) => {
            client.release()
            return result.rows[0]!
          },
          (e: unknown) => {
            client.release(e as Error)
            return e as Error
          },
        )
    } catch (e) {
      read = Promise.resolve(e as Error)
    }
    return new EarlyRead(covered.ids, covered.incidentIds, options, read)
  }

  /**
   * One round trip per batch, whatever its size, when prepareAppend's read
   * holds (appendAtOnce: the lock, the write and COMMIT in one statement, where
   * raw INSERT takes three); when it does not, or when another append came
   * between, the four of appendInTransaction. Every round trip is a wake-up of
   * PostgreSQL, and the lock is held for the write alone.
   */
  async appendEvents(
    events: readonly NewEvent[],
    options?: AppendOptions,
    prepared?: AppendPreparation,
  ): Promise<AppendResult> {
    if (events.length === 0) return { outcomes: [], lastSeq: await this.lastSeq() }
    for (const e of events) {
      if ((e.type === 'incident.declared') !== e.body.endsWith(DECLARED_SUFFIX))
        throw new Error(`event ${e.id}: its body is not canonical JSON ending with its type`)
      // Canonical JSON escapes every control character, so the separator of the bodies' parameter never occurs in one.
      if (e.body.includes(BODY_SEPARATOR))
        throw new Error(`event ${e.id}: its body is not canonical JSON (it holds a raw control character)`)
      // Ids and clocks travel joined the same way; their patterns (src/domain/events.ts) allow no control character.
      if (e.id.includes(BODY_SEPARATOR) || e.incidentId.includes(BODY_SEPARATOR) || e.hlc.includes(BODY_SEPARATOR))
        throw new Error(`event ${e.id}: its id, incident id or clock holds a control character`)
    }
    const prune = options && this.usagePrunedFor !== options.day ? firstKeptDay(options.day) : null
    // Awaited before the lock is taken: the lock is never held waiting for it.
    const early = prepared instanceof EarlyRead && prepared.covers(events, options) ? await prepared.read : null
    // PostgreSQL could not be reached a moment ago: answered now, not after a second wait for a connection.
    const fault = early instanceof Error ? pgFault(early) : null
    if (fault instanceof StorageUnavailableError) throw fault
    const read = early instanceof Error ? null : early
    let mine: number | undefined
    const writing = (seq: number) => {
      mine = seq
      this.ownAppends.set(seq, 'committing')
      // Notices lost with a listening connection never come back: the oldest entries go.
      if (this.ownAppends.size > OWN_APPENDS_KEPT) this.ownAppends.delete(this.ownAppends.keys().next().value!)
    }
    // Not written, perhaps after all (a lost answer to COMMIT): a NOTIFY already heard is told as any other.
    const notMine = () => {
      if (mine !== undefined && this.ownAppends.get(mine) === 'heard') this.tell({ kind: 'grew', lastSeq: mine })
      if (mine !== undefined) this.ownAppends.delete(mine)
      mine = undefined
    }
    let result: AppendResult | null
    try {
      result = read && (await this.appendAtOnce(events, options, prune, read, writing))
      if (!result) {
        notMine()
        result = await this.appendInTransaction(events, options, prune, read, writing)
      }
    } catch (e) {
      notMine()
      throw e
    }
    if (mine !== undefined) {
      if (this.ownAppends.get(mine) === 'heard') this.ownAppends.delete(mine)
      else this.ownAppends.set(mine, 'committed')
    }
    // Committed: the day's pruning (if this write ran it) is done.
    if (options && result.outcomes.includes('accepted')) this.usagePrunedFor = options.day
    return result
  }

  /**
   * appendEvents in one round trip, COMMIT included, when prepareAppend's read
   * still holds: the batch judged against it, then APPEND_WRITE outside a
   * transaction, which writes only if the last seq under the lock is still the
   * read's. Null, having written nothing, when it did not hold, or when the read
   * says nothing is to be written or the quota is broken (both are judged again
   * under the lock: what the read missed may change them). `writing(lastSeq)` as
   * for appendInTransaction.
   */
  private async appendAtOnce(
    events: readonly NewEvent[],
    options: AppendOptions | undefined,
    prune: string | null,
    early: AppendRead,
    writing: (lastSeq: number) => void,
  ): Promise<AppendResult | null> {
    const judgedAt = Number(early.max_seq)
    const plan = planAppend(events, early, judgedAt, options)
    if (plan.rows.length === 0 || plan.breach) return null
    writing(plan.lastSeq)
    const [answer] = await this.query<{ written: boolean }>(
      APPEND_WRITE,
      appendWriteValues(plan, judgedAt, options, prune),
    )
    return answer?.written ? { outcomes: plan.outcomes, lastSeq: plan.lastSeq } : null
  }

  /**
   * appendEvents' transaction, four round trips: BEGIN with the seq lock and the
   * last seq; the read (stored copies of these ids, the incidents' declarations,
   * the day's usage), or prepareAppend's when the last seq under the lock is
   * still the one it saw; APPEND_WRITE; COMMIT. `writing(lastSeq)` is called
   * before the write whose COMMIT makes lastSeq visible.
   */
  private appendInTransaction(
    events: readonly NewEvent[],
    options: AppendOptions | undefined,
    prune: string | null,
    early: AppendRead | null,
    writing: (lastSeq: number) => void,
  ): Promise<AppendResult> {
    // Held to COMMIT: appends from every node take their seqs, and commit, one after the other.
    return this.transaction(async (c, begun) => {
      const lastSeq = Number((begun as pg.QueryResult<{ max_seq: number }>[])[2]!.rows[0]!.max_seq)
      // Every append that changes what the read holds adds a seq: none came between the read and the lock.
      const r =
        early && Number(early.max_seq) === lastSeq
          ? early
          : // After the lock, in a statement of its own: its snapshot sees every append committed before ours.
            (
              await c.query<AppendRead>({
                ...APPEND_READ,
                values: appendReadValues(
                  [...new Set(events.map((e) => e.id))],
                  [...new Set(events.map((e) => e.incidentId))],
                  options,
                ),
              })
            ).rows[0]!
      const plan = planAppend(events, r, lastSeq, options)
      if (plan.rows.length === 0) return { outcomes: plan.outcomes, lastSeq }
      if (plan.breach) throw plan.breach
      // Delivered to every node's LISTEN when this commits, never before.
      writing(plan.lastSeq)
      const answer = await c.query<{ written: boolean }>({
        ...APPEND_WRITE,
        values: appendWriteValues(plan, lastSeq, options, prune),
      })
      // The lock is held and the last seq read under it: nothing can have come between.
      if (!answer.rows[0]?.written) throw new Error(`the last seq moved from ${lastSeq} under the seq lock`)
      return { outcomes: plan.outcomes, lastSeq: plan.lastSeq }
    }, `BEGIN; SELECT pg_advisory_xact_lock(${SEQ_LOCK}); SELECT COALESCE(MAX(seq), 0)::bigint AS max_seq FROM events`)
  }

  async declarationOf(incidentId: string): Promise<StoredDeclaration | null> {
    const rows = await this.query<StoredDeclaration>(
      `SELECT id, hlc, seq FROM events WHERE incident_id = $1 AND ${IS_DECLARATION} ORDER BY seq LIMIT 1`,
      [incidentId],
    )
    return rows[0] ?? null
  }

  async readEventsAfter(after: number, limit: number): Promise<EventPage> {
    const rows = await this.query<EventRow>(EVENTS_AFTER, [after, limit + 1])
    return { events: rows.slice(0, limit).map(toSequenced), more: rows.length > limit }
  }

  async lastSeq(): Promise<number> {
    return (await this.query<{ seq: number }>('SELECT COALESCE(MAX(seq), 0)::bigint AS seq FROM events'))[0]!.seq
  }

  async eventIdAt(seq: number): Promise<string | null> {
    return (await this.query<{ id: string }>('SELECT id FROM events WHERE seq = $1', [seq]))[0]?.id ?? null
  }

  async serverId(): Promise<string> {
    return (await this.query<{ value: string }>("SELECT value FROM meta WHERE key = 'server_id'"))[0]!.value
  }

  /**
   * Nothing to check but the write: the free space is PostgreSQL's disk, not
   * this node's (a full one answers 53100, which is `disk_full`).
   */
  async probeWrite(_headroomBytes: number): Promise<void> {
    await this.query(
      'INSERT INTO write_probe (id, at) VALUES (1, $1) ON CONFLICT (id) DO UPDATE SET at = excluded.at',
      [new Date().toISOString()],
    )
  }

  async insertToken(name: string, hash: Buffer, createdAt: string, grants: TokenGrants = {}): Promise<TokenRecord> {
    const rows = await this.query<TokenRow>(
      `INSERT INTO tokens (name, hash, created_at, read_only, admin) VALUES ($1, $2, $3, $4, $5) RETURNING ${TOKEN_COLUMNS}`,
      [name, hash, createdAt, grants.readOnly ?? false, grants.admin ?? false],
    )
    return toRecord(rows[0]!)
  }

  async setReadOnly(name: string, readOnly: boolean): Promise<number[]> {
    const rows = await this.query<{ id: number }>(
      'UPDATE tokens SET read_only = $1 WHERE name = $2 AND revoked_at IS NULL RETURNING id',
      [readOnly, name],
    )
    return rows.map((r) => r.id)
  }

  async findActiveToken(hash: Buffer): Promise<(TokenRecord & { hash: Buffer }) | null> {
    const row = (await this.query<TokenRow>(ACTIVE_TOKEN, [hash]))[0]
    return row ? { ...toRecord(row), hash: row.hash } : null
  }

  async isTokenActive(id: number): Promise<boolean> {
    return (await this.query('SELECT id FROM tokens WHERE id = $1 AND revoked_at IS NULL', [id])).length > 0
  }

  async touchToken(id: number, at: string): Promise<void> {
    await this.query('UPDATE tokens SET last_used_at = $1 WHERE id = $2', [at, id])
  }

  /** Revokes and tells every node (NOTIFY on commit), whose open streams of these tokens close at once. */
  async revokeTokens(name: string, at: string, wipe = false): Promise<number[]> {
    return this.transaction(async (c) => {
      const ids = (
        await c.query<{ id: number }>(
          'UPDATE tokens SET revoked_at = $1, wipe = $2 WHERE name = $3 AND revoked_at IS NULL RETURNING id',
          [at, wipe, name],
        )
      ).rows.map((r) => r.id)
      if (ids.length) await c.query('SELECT pg_notify($1, $2)', [CHANNEL, JSON.stringify({ revoked: ids })])
      return ids
    })
  }

  async isWipedToken(hash: Buffer): Promise<boolean> {
    return (
      (await this.query('SELECT id FROM tokens WHERE hash = $1 AND revoked_at IS NOT NULL AND wipe', [hash])).length > 0
    )
  }

  async listTokensWithDevices(): Promise<TokenOverview[]> {
    // The actor's name and time of the latest event per (token, actor), as sqlite.ts's bare columns give.
    const devices = await this.query<Omit<DeviceSeen, 'actorName'> & { token_id: number; name: string }>(
      `SELECT sender_token_id AS token_id, ${ACTOR_ID} AS "actorId",
              (array_agg(${ACTOR_NAME_ESCAPED} ORDER BY seq DESC))[1] AS name,
              (array_agg(received_at ORDER BY seq DESC))[1] AS "lastAt",
              COUNT(*)::bigint AS events
       FROM events WHERE sender_token_id IS NOT NULL
       GROUP BY sender_token_id, ${ACTOR_ID} ORDER BY MAX(seq) DESC`,
    )
    const byToken = new Map<number, DeviceSeen[]>()
    for (const { token_id, name, ...device } of devices) {
      const list = byToken.get(token_id) ?? []
      list.push({
        actorId: device.actorId,
        actorName: JSON.parse(`"${name}"`) as string,
        events: device.events,
        lastAt: device.lastAt,
      })
      byToken.set(token_id, list)
    }
    const tokens = await this.query<TokenRow & { revoked_at: string | null; wipe: boolean }>(
      `SELECT ${TOKEN_COLUMNS}, revoked_at, wipe FROM tokens ORDER BY name COLLATE "C", id`,
    )
    return tokens.map((row) => ({
      ...toRecord(row),
      revokedAt: row.revoked_at,
      wipe: row.wipe,
      devices: byToken.get(row.id) ?? [],
    }))
  }

  async recordAdminAction(a: AdminAction): Promise<void> {
    await this.query(
      'INSERT INTO admin_audit (at, actor_token_id, actor_name, action, target, detail) VALUES ($1, $2, $3, $4, $5, $6)',
      [a.at, a.actorTokenId, a.actorName, a.action, a.target, a.detail ?? null],
    )
  }

  async listAdminActions(limit: number): Promise<AdminAction[]> {
    const rows = await this.query<{
      at: string
      actor_token_id: number | null
      actor_name: string
      action: string
      target: string
      detail: string | null
    }>('SELECT at, actor_token_id, actor_name, action, target, detail FROM admin_audit ORDER BY id DESC LIMIT $1', [
      limit,
    ])
    return rows.map((r) => ({
      at: r.at,
      actorTokenId: r.actor_token_id,
      actorName: r.actor_name,
      action: r.action as AdminAction['action'],
      target: r.target,
      ...(r.detail !== null && { detail: r.detail }),
    }))
  }

  async listActiveTokens(): Promise<TokenRecord[]> {
    return (await this.query<TokenRow>(`SELECT ${TOKEN_COLUMNS} FROM tokens WHERE revoked_at IS NULL ORDER BY id`)).map(
      toRecord,
    )
  }

  async countTokens(): Promise<number> {
    return (await this.query<{ n: number }>('SELECT COUNT(*)::bigint AS n FROM tokens'))[0]!.n
  }

  /** Events of one incident (served by the index events_incident, migration 6) or the one with an id. */
  private async readEvents(where: 'incident' | 'id', value: string): Promise<SequencedEvent[]> {
    const column = where === 'incident' ? 'incident_id' : 'id'
    const rows = await this.query<EventRow>(`SELECT ${EVENT_COLUMNS} FROM events WHERE ${column} = $1 ORDER BY seq`, [
      value,
    ])
    return rows.map(toSequenced)
  }

  readIncidentEvents(incidentId: string): Promise<SequencedEvent[]> {
    return this.readEvents('incident', incidentId)
  }

  async eventById(id: string): Promise<SequencedEvent | null> {
    return (await this.readEvents('id', id))[0] ?? null
  }

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

  ensureVapidKeys(candidate: VapidKeys): Promise<VapidKeys> {
    return this.comms.ensureVapidKeys(candidate)
  }

  savePushSubscription(sub: PushSubscriptionRecord, at: string): Promise<void> {
    return this.comms.savePushSubscription(sub, at)
  }

  deletePushSubscription(endpoint: string, tokenId?: number): Promise<boolean> {
    return this.comms.deletePushSubscription(endpoint, tokenId)
  }

  listPushSubscriptions(): Promise<PushSubscriptionRecord[]> {
    return this.comms.listPushSubscriptions()
  }

  deletePushSubscriptionsOfRevokedTokens(): Promise<number> {
    return this.comms.deletePushSubscriptionsOfRevokedTokens()
  }

  claimPushNotice(key: string, at: string): Promise<boolean> {
    return this.comms.claimPushNotice(key, at)
  }

  forgetPushClaims(before: string): Promise<number> {
    return this.comms.forgetPushClaims(before)
  }

  insertStatusLink(link: Parameters<PgComms['insertStatusLink']>[0]): Promise<StatusLinkRecord> {
    return this.comms.insertStatusLink(link)
  }

  findStatusLink(hash: Buffer): Promise<StatusLinkRecord | null> {
    return this.comms.findStatusLink(hash)
  }

  statusLinkById(id: number): Promise<StatusLinkRecord | null> {
    return this.comms.statusLinkById(id)
  }

  listStatusLinks(incidentId: string | null): Promise<StatusLinkRecord[]> {
    return this.comms.listStatusLinks(incidentId)
  }

  revokeStatusLink(id: number, at: string): Promise<boolean> {
    return this.comms.revokeStatusLink(id, at)
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

  /**
   * Runs `fn` while holding the session advisory lock of job `name` (class
   * JOB_LOCK_CLASS, key hashtext(name)) on a connection of its own; another
   * node holding it means `fn` is not run (false). If this node dies the lock
   * goes with its connection.
   */
  async exclusive(name: string, fn: () => Promise<void>): Promise<boolean> {
    let client: pg.PoolClient
    try {
      client = await this.checkOut()
    } catch (e) {
      throw pgFault(e)
    }
    let broken: Error | undefined
    try {
      const got = await client.query<{ ok: boolean }>('SELECT pg_try_advisory_lock($1, hashtext($2)) AS ok', [
        JOB_LOCK_CLASS,
        name,
      ])
      if (!got.rows[0]!.ok) return false
      try {
        await fn()
      } finally {
        await client.query('SELECT pg_advisory_unlock($1, hashtext($2))', [JOB_LOCK_CLASS, name])
      }
      return true
    } catch (e) {
      const fault = pgFault(e)
      if (fault instanceof StorageUnavailableError) broken = e as Error
      throw fault
    } finally {
      client.release(broken)
    }
  }

  /**
   * Changes stored by any node (this one included), from LISTEN. The first
   * watcher opens the listening connection; it stays until close().
   */
  watch(listener: (change: StoreChange) => void): () => void {
    this.watchers.add(listener)
    this.listener ??= new Listener(
      this.url,
      (change) => {
        // This node's own append: its caller tells it, with its events.
        if (change.kind === 'grew' && this.ownAppends.has(change.lastSeq)) {
          if (this.ownAppends.get(change.lastSeq) === 'committing') this.ownAppends.set(change.lastSeq, 'heard')
          else this.ownAppends.delete(change.lastSeq)
        } else this.tell(change)
      },
      () => this.lastSeq(),
    )
    return () => {
      this.watchers.delete(listener)
    }
  }

  private tell(change: StoreChange): void {
    for (const w of this.watchers) w(change)
  }

  close(): Promise<void> {
    this.closing ??= (async () => {
      await this.listener?.close()
      await this.pool.end()
    })()
    return this.closing
  }
}
