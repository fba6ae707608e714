/**
 * "Do not push before": the server's Retry-After, kept in IndexedDB (setting
 * `pushHold`) so that the page's sync engine and the service worker's
 * Background Sync push honour it alike, whichever of them was told. Without
 * it, the worker woken by the browser would push straight into a rate limit
 * the page had just been given, and the page would not know the worker had
 * been told to wait.
 */
import { assertNever } from '../domain/assert'
import type { CommandPostDatabase } from '../db/database'
import { readSetting, writeSetting, type PushHold } from '../db/settings'
import type { SyncFailure } from './api'

/** The failure's Retry-After in ms (429, 503, 507), or 0 when it has none. */
export function retryAfterOf(failure: SyncFailure): number {
  return 'retryAfterMs' in failure ? (failure.retryAfterMs ?? 0) : 0
}

/**
 * The hold a failure asks for: until `now + waitMs` (at least its
 * Retry-After), or null when the failure carries no Retry-After (network
 * failures, errors retried by backoff alone, refused tokens).
 */
export function holdFor(failure: SyncFailure, now: number, waitMs = retryAfterOf(failure)): PushHold | null {
  if (retryAfterOf(failure) <= 0) return null
  switch (failure.kind) {
    case 'rate-limited':
    case 'quota':
    case 'server-storage':
    case 'server':
      return { until: now + Math.max(waitMs, retryAfterOf(failure)), kind: failure.kind }
    case 'network':
    case 'auth':
    case 'read-only':
    case 'wiped':
    case 'too-large':
    case 'bad-answer':
      return null
    default:
      return assertNever(failure, 'sync failure')
  }
}

/** Whether pulling may go on during the hold: a quota or full storage refuses writes only. */
export function holdAllowsPull(hold: PushHold): boolean {
  return hold.kind === 'quota' || hold.kind === 'server-storage'
}

/** The stored hold, whether or not it is still in force (null when none). */
export function readPushHold(db: CommandPostDatabase): Promise<PushHold | null> {
  return readSetting(db, 'pushHold')
}

/** Keep `hold` for the engine and the worker, in place of any older one: the server's latest answer counts. */
export async function savePushHold(db: CommandPostDatabase, hold: PushHold): Promise<void> {
  await writeSetting(db, 'pushHold', hold)
}

/** A push got through, or the settings changed: no more waiting. */
export async function clearPushHold(db: CommandPostDatabase): Promise<void> {
  await writeSetting(db, 'pushHold', null)
}
