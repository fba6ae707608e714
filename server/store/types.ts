/**
 * The one storage interface the server talks to. Routes and services depend on
 * this file only, so another engine (PostgreSQL) can follow without touching them.
 *
 * Every method is async although SQLite is synchronous: a networked database is not.
 */
import type { DeclarationRefusal } from '../../src/domain/declaration'
import type { EventType, IncidentEvent } from '../../src/domain/events'
import type { DailyQuota } from './faults'

/** A validated event, ready to store. `body` is its canonical JSON without `seq`. */
export interface NewEvent {
  id: string
  incidentId: string
  type: EventType
  hlc: string
  body: string
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
  /** The highest seq stored so far (0 when empty). */
  lastSeq: number
}

export type SequencedEvent = IncidentEvent & { seq: number }

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
  appendEvents(events: readonly NewEvent[], options?: AppendOptions): Promise<AppendResult>
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
  name: string
  createdAt: string
  lastUsedAt: string | null
}

export interface TokenStore {
  insertToken(name: string, hash: Buffer, createdAt: string): Promise<TokenRecord>
  /** The active (not revoked) token with this SHA-256 hash, with the stored hash. */
  findActiveToken(hash: Buffer): Promise<(TokenRecord & { hash: Buffer }) | null>
  isTokenActive(id: number): Promise<boolean>
  touchToken(id: number, at: string): Promise<void>
  /** Revokes every active token with this name; resolves to the ids revoked. */
  revokeTokens(name: string, at: string): Promise<number[]>
  listActiveTokens(): Promise<TokenRecord[]>
  /** Tokens ever issued, revoked ones included. */
  countTokens(): Promise<number>
}

export interface Store extends EventStore, TokenStore {
  /**
   * A tiny committed write, plus a check that the storage has room for a full
   * push (`headroomBytes`). Resolves when writes work; rejects with
   * StorageFaultError when they do not. Cheap enough to run every few seconds.
   */
  probeWrite(headroomBytes: number): Promise<void>
  close(): Promise<void>
}
