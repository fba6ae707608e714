/**
 * Conditions of the storage that the server answers as known cases, not as a
 * 500: the day's quota is used up, or the disk (or database) will not take
 * writes. Thrown by a Store; the routes map them onto HTTP (http/errors.ts).
 */
import type { STORAGE_FAULT_REASONS } from '../../src/domain/wire'

/** Why writes fail: the disk is full, the database is read-only, or another I/O failure (the wire's picklist). */
export type StorageFaultReason = (typeof STORAGE_FAULT_REASONS)[number]

/** A write the storage refused. Nothing of the refused write is stored. */
export class StorageFaultError extends Error {
  constructor(
    readonly reason: StorageFaultReason,
    readonly cause?: unknown,
  ) {
    super(
      {
        disk_full: "the server's storage is full",
        read_only: "the server's storage is read-only",
        write_failed: "the server's storage failed to write",
      }[reason],
    )
    this.name = 'StorageFaultError'
  }
}

/**
 * The database cannot be reached (PostgreSQL stopped, restarting, or its
 * connections cut). A StorageFaultError with reason `write_failed`, so the
 * health check reports it, but answered 503 `storage_unavailable` with
 * Retry-After (http/errors.ts), not 507: it passes by itself. Nothing of the
 * refused request was acknowledged; a push that may or may not have been
 * committed is re-sent by the phone and then answered `duplicate`.
 */
export class StorageUnavailableError extends StorageFaultError {
  constructor(cause?: unknown) {
    super('write_failed', cause)
    this.name = 'StorageUnavailableError'
    this.message = 'the server cannot reach its database'
  }
}

/** Retry-After (s) of an answer refused because the database cannot be reached. */
export const UNAVAILABLE_RETRY_AFTER_S = 5

/**
 * The StorageFaultReason of an error thrown by SQLite (better-sqlite3's
 * SqliteError carries `code`, e.g. SQLITE_FULL, SQLITE_READONLY_DBMOVED,
 * SQLITE_IOERR_WRITE), or null when it is not a storage fault (a bug, a
 * constraint) and must stay a 500.
 */
export function storageFaultOf(err: unknown): StorageFaultReason | null {
  const code = (err as { code?: unknown } | null)?.code
  if (typeof code !== 'string') return null
  if (code === 'SQLITE_FULL') return 'disk_full'
  if (code.startsWith('SQLITE_READONLY')) return 'read_only'
  if (code.startsWith('SQLITE_IOERR') || code.startsWith('SQLITE_CANTOPEN')) return 'write_failed'
  return null
}

/** Events and bytes a token, and the server as a whole, may store per UTC day; 0 means no limit. */
export interface DailyQuota {
  tokenEvents: number
  tokenBytes: number
  serverEvents: number
  serverBytes: number
}

/** No limits: what a Store applies when none are given. */
export const NO_QUOTA: DailyQuota = { tokenEvents: 0, tokenBytes: 0, serverEvents: 0, serverBytes: 0 }

/**
 * A batch that would take a token (scope `token`) or the whole server over its
 * daily quota. The whole batch is refused and nothing of it stored.
 */
export class QuotaExceededError extends Error {
  constructor(
    readonly scope: 'token' | 'server',
    readonly unit: 'events' | 'bytes',
    readonly limit: number,
  ) {
    super(`${scope === 'token' ? "this access token's" : "the server's"} daily quota of ${limit} ${unit} is used up`)
    this.name = 'QuotaExceededError'
  }
}

/** The UTC day `YYYY-MM-DD` of `ms` (milliseconds since the epoch): quotas count per UTC day. */
export function utcDay(ms: number): string {
  return new Date(ms).toISOString().slice(0, 10)
}

/** Whole seconds from `ms` until the next UTC midnight, at least 1: when a quota refills. */
export function secondsUntilNextUtcDay(ms: number): number {
  const d = new Date(ms)
  const next = Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), d.getUTCDate() + 1)
  return Math.max(1, Math.ceil((next - ms) / 1000))
}
