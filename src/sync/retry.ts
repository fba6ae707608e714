/**
 * When to try again after a failure (docs/CONTRACT-EXTENSIONS.md): backoff
 * from 1 s doubling to 60 s with jitter (backoff.ts); on 429 (rate limit or
 * daily quota), 507 (server storage full) and any other answer with a
 * `Retry-After` (a 503) at least what it said; on a refused token (401/403) not at all until the
 * settings change, since the token will not start working by itself.
 *
 * A decision only: the caller owns the timer. One policy per thing retried
 * (the sync rounds, the live stream), each counting its own failures.
 */
import type { SyncFailure } from './api'
import { backoffDelay, type BackoffOptions } from './backoff'

/** What failed: a server answer, the network, or this phone's storage (IndexedDB refused a write). */
export type RetryableFailure = SyncFailure | { kind: 'storage' }

export type RetryDecision =
  /** Try again after `delayMs` milliseconds. */
  | { kind: 'retry'; delayMs: number }
  /** Do not try again by yourself: only `clear()` (new settings) or a manual attempt may. */
  | { kind: 'stop' }

export interface RetryPolicy {
  /** Count a failure and decide. */
  failed(failure: RetryableFailure): RetryDecision
  /** It worked: the next failure waits the shortest time again. */
  succeeded(): void
  /** Start the backoff over (the network is back, the user asked), keeping a stop in force. */
  restart(): void
  /** Forget everything, a stop included (the settings changed, or a manual attempt is starting). */
  clear(): void
  /** A refused token stopped automatic attempts. */
  readonly stopped: boolean
}

export function createRetryPolicy(options: BackoffOptions = {}): RetryPolicy {
  let attempt = 0
  let stopped = false
  return {
    failed(failure) {
      // A read-only token will not start writing by itself either.
      if (failure.kind === 'auth' || failure.kind === 'read-only' || failure.kind === 'wiped') {
        stopped = true
        return { kind: 'stop' }
      }
      const delay = backoffDelay(attempt++, options)
      // The server said when (429, 503, 507): never sooner than that.
      const wait = 'retryAfterMs' in failure ? (failure.retryAfterMs ?? 0) : 0
      return { kind: 'retry', delayMs: Math.max(delay, wait) }
    },
    succeeded() {
      attempt = 0
      stopped = false
    },
    restart() {
      attempt = 0
    },
    clear() {
      attempt = 0
      stopped = false
    },
    get stopped() {
      return stopped
    },
  }
}
