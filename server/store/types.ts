/**
 * The one storage interface the server talks to. Routes and services depend on
 * this file only, so another engine (PostgreSQL) can follow without touching them.
 *
 * Every method is async although SQLite is synchronous: a networked database is not.
 */
import type { DeclarationRefusal } from '../../src/domain/declaration'
import type { EventType, IncidentEvent, ReceivedFrom } from '../../src/domain/events'
import type { PushTopic } from '../../src/domain/push'
import type { DailyQuota } from './faults'

/**
 * A validated event, ready to store. `body` is its canonical JSON without `seq`
 * and without `receivedFrom`: the sender is kept beside the content, so the same
 * event sent through another token is still a duplicate, not a conflict.
 */
export interface NewEvent {
  id: string
  incidentId: string
  type: EventType
  hlc: string
  body: string
  /** The authenticated token that sent it; absent only for events stored by the server itself. */
  receivedFrom?: ReceivedFrom
}

/** The declaration an incident has here: the first `incident.declared` stored for it. */
export interface StoredDeclaration {
  id: string
  hlc: string
  seq: number
}

/**
 * What happened to one event of a batch:
 * - accepted: stored now, with a new seq;
 * - duplicate: an event with this id and the same body was already stored;
 * - conflict: an event with this id but a different body was already stored;
 * - already_declared / before_declared: refused by the declaration rule of
 *   src/domain/declaration.ts against the incident's stored declaration.
 */
export type AppendOutcome = 'accepted' | 'duplicate' | 'conflict' | DeclarationRefusal

export interface AppendResult {
  /** One outcome per input event, in input order. */
  outcomes: AppendOutcome[]
  /**
   * The highest seq stored so far (0 when empty). When any event was accepted, the k accepted events
   * hold seqs lastSeq − k + 1 … lastSeq, in input order: a batch's seqs are taken together, none between.
   */
  lastSeq: number
}

/** A stored event as handed out: `seq`, and `receivedFrom` when the server knows the sender. */
export type SequencedEvent = IncidentEvent & { seq: number; receivedFrom?: ReceivedFrom }

export interface EventPage {
  events: SequencedEvent[]
  /** True when more events exist after the last one returned. */
  more: boolean
}

/** Who appends, and the day's quota to hold the batch to (store/faults.ts). */
export interface AppendOptions {
  /** The access token the batch came with: its usage is counted. */
  tokenId: number
  /** The UTC day (`YYYY-MM-DD`) the usage counts for. */
  day: string
  quota: DailyQuota
}

/** A read begun by EventStore.prepareAppend, for its appendEvents alone: what it holds is the store's own. */
export interface AppendPreparation {
  /** The ids and incident ids the read covers. */
  readonly ids: ReadonlySet<string>
  readonly incidentIds: ReadonlySet<string>
}

export interface EventStore {
  /**
   * Store a batch atomically. Resolves only once the batch is durable: the caller
   * answers accepted/duplicate on that promise, and those must survive a crash.
   * Each event is judged by `refusalFor` (src/domain/declaration.ts) against its
   * incident's stored declaration inside the same transaction, so two concurrent
   * batches cannot both declare one incident; events earlier in the batch count.
   *
   * With `options`, the accepted events (duplicates and refusals do not count)
   * are added to the token's usage of `day` in the same transaction; a batch that
   * would go over `options.quota` is refused whole with QuotaExceededError.
   * A write the storage refuses (disk full, read-only) rejects with
   * StorageFaultError and stores nothing. Both come from store/faults.ts.
   */
  appendEvents(
    events: readonly NewEvent[],
    options?: AppendOptions,
    prepared?: AppendPreparation,
  ): Promise<AppendResult>
  /**
   * Optional: starts reading what appending a batch of these ids and incidents
   * will need (which ids are stored, the incidents' declarations, the day's
   * usage) before the batch is ready, so the read runs while the caller
   * validates it (PostgreSQL: a round trip and a read taken off every push).
   * Passed to appendEvents, it is used only when nothing was appended since and
   * it covers every event of the batch; else appendEvents reads again. Resolves
   * once the read is under way; never rejects (a failed read is read again).
   */
  prepareAppend?(
    ids: readonly string[],
    incidentIds: readonly string[],
    options?: AppendOptions,
  ): Promise<AppendPreparation>
  /** The first `incident.declared` stored for this incident, or null when none is stored yet. */
  declarationOf(incidentId: string): Promise<StoredDeclaration | null>
  /**
   * Events with seq > after, ascending. Invariant for any engine: once a seq is
   * visible here, every lower seq is visible too, or readers would skip events.
   */
  readEventsAfter(after: number, limit: number): Promise<EventPage>
  lastSeq(): Promise<number>
  /** The id of the event stored at `seq`, or null when none is (a phone's cursor this history never had). */
  eventIdAt(seq: number): Promise<string | null>
  /**
   * This database's identity: random, new when the database is created and when
   * it is restored (npm run db:restore). Phones compare it with the one they saw.
   */
  serverId(): Promise<string>
}

export interface TokenRecord {
  id: number
  /** The person it was issued for. */
  name: string
  createdAt: string
  lastUsedAt: string | null
  /** Pulls and streams, but every push is refused 403 `read_only`. */
  readOnly: boolean
  /** May use the admin routes (/api/admin/…). */
  admin: boolean
}

/** A device seen sending through a token: an actor id of stored events' `receivedFrom`. */
export interface DeviceSeen {
  actorId: string
  /** The actor name on its latest event. */
  actorName: string
  events: number
  lastAt: string
}

/** A token for the admin's list: never the token or its hash. */
export interface TokenOverview extends TokenRecord {
  revokedAt: string | null
  wipe: boolean
  devices: DeviceSeen[]
}

/** One recorded admin action: who (token, or the server's command line), what, when. */
export interface AdminAction {
  at: string
  /** null: the command line on the server. */
  actorTokenId: number | null
  actorName: string
  action: 'issue' | 'read_only' | 'writable' | 'revoke' | 'revoke_wipe'
  /** The token name acted on. */
  target: string
  detail?: string
}

/** What a token may do, chosen when it is issued. */
export interface TokenGrants {
  readOnly?: boolean
  admin?: boolean
}

export interface TokenStore {
  insertToken(name: string, hash: Buffer, createdAt: string, grants?: TokenGrants): Promise<TokenRecord>
  /** Makes every active token with this name read-only (or writable again); resolves to the ids changed. */
  setReadOnly(name: string, readOnly: boolean): Promise<number[]>
  /** The active (not revoked) token with this SHA-256 hash, with the stored hash. */
  findActiveToken(hash: Buffer): Promise<(TokenRecord & { hash: Buffer }) | null>
  isTokenActive(id: number): Promise<boolean>
  touchToken(id: number, at: string): Promise<void>
  /**
   * Revokes every active token with this name; resolves to the ids revoked.
   * With `wipe`, a phone that uses one of them again is answered 401 `wiped`.
   */
  revokeTokens(name: string, at: string, wipe?: boolean): Promise<number[]>
  /** True when this hash is a token revoked with a wipe. */
  isWipedToken(hash: Buffer): Promise<boolean>
  /** Every token ever issued (revoked ones too), with the devices seen sending through it. */
  listTokensWithDevices(): Promise<TokenOverview[]>
  recordAdminAction(action: AdminAction): Promise<void>
  /** The latest admin actions, newest first. */
  listAdminActions(limit: number): Promise<AdminAction[]>
  listActiveTokens(): Promise<TokenRecord[]>
  /** Tokens ever issued, revoked ones included. */
  countTokens(): Promise<number>
}

/** One stored runbook version without its source (issue #16 item 1). */
export interface RunbookVersionMeta {
  runbookId: string
  /** 1, 2, 3… per runbook, in the order versions were added. */
  version: number
  title: string
  /** `YYYY-MM-DD` or null, read from the source when the version was added. */
  reviewBy: string | null
  /** The token's name, or "repository" for a version seeded from runbooks/. */
  author: string
  /** The author's token id; null for the repository. */
  authorTokenId: number | null
  /** ISO time the version was added. */
  at: string
  note: string
  /** The version it was edited from; null for a runbook's first version. */
  baseVersion: number | null
  /** Set once, when the version is published; never changed after. */
  publishedAt: string | null
  publishedBy: string | null
  /**
   * The proposing phone's idempotency key (`proposalId` on the wire), present only
   * when one was sent: a version is stored once per key, across all runbooks.
   */
  proposalId?: string
}

/** A stored version with its Markdown source. */
export interface RunbookVersionRecord extends RunbookVersionMeta {
  source: string
}

/** A version to add: the store numbers it. With `publish`, it is published in the same transaction. */
export type NewRunbookVersion = Omit<RunbookVersionRecord, 'version' | 'publishedAt' | 'publishedBy'> & {
  publish: boolean
}

/** A runbook: its published version (null until one is) and newest version, with title and review date. */
export interface RunbookHead {
  id: string
  /** Title of the published version, or of the newest one when none is published. */
  title: string
  reviewBy: string | null
  publishedVersion: number | null
  latestVersion: number
}

/**
 * Runbooks as append-only series of versions. Nothing here changes or deletes a
 * stored version except publishing it, which sets its `publishedAt`/`publishedBy`
 * once; the rules (who may publish, staleness) live in server/runbooks/service.ts.
 */
export interface RunbookStore {
  /** Every runbook, ordered by id. */
  listRunbooks(): Promise<RunbookHead[]>
  runbookHead(id: string): Promise<RunbookHead | null>
  /** Every version of a runbook, oldest first; [] for an unknown id. */
  runbookHistory(id: string): Promise<RunbookVersionMeta[]>
  runbookVersion(id: string, version: number): Promise<RunbookVersionRecord | null>
  /**
   * Adds a version atomically, numbered one above the runbook's newest.
   * `create`: the runbook must not exist yet (else 'exists'); `append`: it must
   * (else 'missing'). With a `proposalId` already stored (any runbook), nothing is
   * added and that stored version is answered instead (the caller compares it).
   */
  addRunbookVersion(
    version: NewRunbookVersion,
    mode: 'create' | 'append',
  ): Promise<RunbookVersionRecord | 'exists' | 'missing'>
  /**
   * Publishes a stored proposal, only if the runbook's published version is
   * still `expectedPublished` (compare and set, so two publishers cannot both
   * win). 'moved': it is not; 'already': the version was published before;
   * 'missing': no such version.
   */
  publishRunbookVersion(
    id: string,
    version: number,
    by: string,
    at: string,
    expectedPublished: number | null,
  ): Promise<'published' | 'moved' | 'already' | 'missing'>
}

/** Where one address of one emailed update stands (the row is the claim: made before sending). */
export type MailRecipientState = 'claimed' | 'sent' | 'failed'

/** One address of one emailed update, as recorded. */
export interface MailRecipient {
  email: string
  state: MailRecipientState
  /** The SMTP server's answer (or the error) for `sent` and `failed`; null while only claimed. */
  answer: string | null
}

/** The job of emailing one `update.posted` to its audience. */
export interface MailJobClaim {
  /** The update's event id. */
  eventId: string
  incidentId: string
  /** This server process, so another can tell its lease from theirs. */
  node: string
  /** Now, ms since the epoch. */
  now: number
  /** Until when the job is this node's (ms); past it, another node may take it over. */
  leaseUntil: number
}

/**
 * The email outbox (server/mail/mailer.ts). Every method is one transaction.
 * The rules that make "at most once per update and recipient" hold with several
 * server processes on one database: a job belongs to one node at a time (a
 * lease), and each address is claimed by a row written before it is sent; a
 * row never goes back to unclaimed except by `releaseMailRecipients`, used only
 * when the SMTP server was not reached at all.
 */
export interface MailStore {
  /** The highest event seq the mailer has looked at (0 at first). */
  mailCursor(): Promise<number>
  /** Moves the cursor to `seq` if that is further; never back. */
  advanceMailCursor(seq: number): Promise<void>
  /**
   * Takes the job for `claim.node`: true when the job is new, or not done and
   * its lease ran out before `claim.now` (then `attempts` counts one more).
   * False when another node holds it or it is done.
   */
  claimMailJob(claim: MailJobClaim): Promise<boolean>
  /** Moves the lease of a job this node holds; false when it is no longer this node's (taken over). */
  renewMailJob(eventId: string, node: string, leaseUntil: number): Promise<boolean>
  /** How many times the job was claimed (1 on the first claim). */
  mailJobAttempts(eventId: string): Promise<number>
  /** Marks the job done with the id of its report event; it is never claimed again. */
  finishMailJob(eventId: string, node: string, reportId: string): Promise<void>
  /** Update ids of jobs not done whose lease ran out before `now`: a node stopped, or a retry is due. */
  expiredMailJobs(now: number, limit: number): Promise<string[]>
  /**
   * Claims these addresses of the update in one transaction, before any of
   * them is sent (the mailer claims one at a time); resolves to those claimed now (an address already recorded, by this
   * or an earlier attempt, is not claimed again).
   */
  claimMailRecipients(eventId: string, emails: readonly string[], now: number): Promise<string[]>
  /** Records what the SMTP server said for one claimed address. */
  finishMailRecipient(
    eventId: string,
    email: string,
    state: 'sent' | 'failed',
    answer: string,
    now: number,
  ): Promise<void>
  /** Drops claims of addresses never handed to the SMTP server (it could not be reached), so a retry sends them. */
  releaseMailRecipients(eventId: string, emails: readonly string[]): Promise<void>
  /** Every address recorded for the update, in the order claimed. */
  mailRecipients(eventId: string): Promise<MailRecipient[]>
}

/**
 * A change stored by any server on the same database, this one included:
 * the log grew to `lastSeq`, or tokens were revoked.
 */
export type StoreChange = { kind: 'grew'; lastSeq: number } | { kind: 'revoked'; tokenIds: number[] }

export interface Store
  extends EventStore, TokenStore, IncidentReader, PushStore, StatusLinkStore, RunbookStore, MailStore {
  /**
   * Engines that several server processes share (PostgreSQL) report what the
   * others stored, so live streams and revocations reach every node; a growth
   * this store appended itself is not reported (appendEvents' caller tells it,
   * with the events: StreamHub.publish), revocations always are. Absent on
   * SQLite: one process serves the file, and it publishes its own changes.
   * Returns the function that stops listening.
   */
  watch?(listener: (change: StoreChange) => void): () => void
  /**
   * Runs `fn` unless another server on the same database is running work of
   * the same `name` now; resolves to whether this one ran it. For scheduled
   * work (reminders, email) that several servers must not all do: each
   * server's timer calls it, one runs. Absent on SQLite (one process); call it
   * through runExclusive (store/exclusive.ts). The lock is not a claim: `fn`
   * must still mark what it did in the store, in the write that does it.
   */
  exclusive?(name: string, fn: () => Promise<void>): Promise<boolean>
  /**
   * A tiny committed write, plus a check that the storage has room for a full
   * push (`headroomBytes`). Resolves when writes work; rejects with
   * StorageFaultError when they do not. Cheap enough to run every few seconds.
   */
  probeWrite(headroomBytes: number): Promise<void>
  close(): Promise<void>
}

/** A VAPID key pair for Web Push: the P-256 public key (65 bytes) and private key (32 bytes), base64url. */
export interface VapidKeys {
  publicKey: string
  privateKey: string
}

/** One phone's Web Push subscription, under the access token that registered it. */
export interface PushSubscriptionRecord {
  /** The push service URL; unique: one row per browser subscription. */
  endpoint: string
  /** The token that sent it: the subscription dies with it. */
  tokenId: number
  /** The browser's P-256 public key and auth secret (base64url) the payload is encrypted for. */
  p256dh: string
  auth: string
  /** Who the phone is (its actor), matched against role holders and task owners. */
  person: { id?: string; name: string }
  /** What they chose to be told. */
  topics: PushTopic[]
}

/** Web Push: the server's keys, the subscriptions, and the claims that make each notice go out once. */
export interface PushStore {
  /**
   * The VAPID keys every node signs with: the stored pair, or `candidate`
   * stored now when there is none. Two nodes starting at once both get the
   * pair that was stored first (insert-if-absent, then read).
   */
  ensureVapidKeys(candidate: VapidKeys): Promise<VapidKeys>
  /** Insert or replace the subscription with this endpoint (it moves to `sub.tokenId`). `at`: ISO time. */
  savePushSubscription(sub: PushSubscriptionRecord, at: string): Promise<void>
  /** Forget an endpoint; with `tokenId`, only when that token holds it. Resolves to whether a row went. */
  deletePushSubscription(endpoint: string, tokenId?: number): Promise<boolean>
  /** Every subscription whose token is still active, oldest first. */
  listPushSubscriptions(): Promise<PushSubscriptionRecord[]>
  /** Deletes the subscriptions of revoked tokens; resolves to how many went. */
  deletePushSubscriptionsOfRevokedTokens(): Promise<number>
  /**
   * Claim a notice (`key`, e.g. `due:<incident>:<ms>` or `event:<id>:<topic>`)
   * for sending: true for exactly one caller across every node sharing the
   * database (insert-if-absent in one statement), false for the others.
   */
  claimPushNotice(key: string, at: string): Promise<boolean>
  /** Forget claims made before `before` (ISO time), so the table stays small; resolves to how many. */
  forgetPushClaims(before: string): Promise<number>
}

/** A status link as the server keeps it: never the token, only its SHA-256. */
export interface StatusLinkRecord {
  id: number
  /** The incident it shows; null: the team-wide page of open incidents. */
  incidentId: string | null
  createdAt: string
  /** The name of the token that made it. */
  createdBy: string
  tokenId: number | null
  revokedAt: string | null
}

/** Read-only capabilities for the stakeholder status page. */
export interface StatusLinkStore {
  insertStatusLink(link: {
    incidentId: string | null
    hash: Buffer
    createdAt: string
    createdBy: string
    tokenId: number | null
  }): Promise<StatusLinkRecord>
  /** The link with this token hash, withdrawn or not; null when there is none. */
  findStatusLink(hash: Buffer): Promise<StatusLinkRecord | null>
  statusLinkById(id: number): Promise<StatusLinkRecord | null>
  /** Links of an incident (null: the team-wide ones), newest first, withdrawn ones included. */
  listStatusLinks(incidentId: string | null): Promise<StatusLinkRecord[]>
  /** Withdraw a link; resolves to false when it was already withdrawn or does not exist. */
  revokeStatusLink(id: number, at: string): Promise<boolean>
}

/** The server's own reads of one incident (status pages, push notices). */
export interface IncidentReader {
  /**
   * Every event stored for one incident, ascending by seq (with `seq` and
   * `receivedFrom` as readEventsAfter gives them); an index on the incident keeps it cheap.
   */
  readIncidentEvents(incidentId: string): Promise<SequencedEvent[]>
  /** The stored event with this id, or null. */
  eventById(id: string): Promise<SequencedEvent | null>
}
