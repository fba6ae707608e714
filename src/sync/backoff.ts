/**
 * Retry delays while the server cannot be reached: doubling from `baseMs` up
 * to `capMs`, with "equal jitter" (half fixed, half random) so a room full of
 * phones that lost the Wi-Fi together do not all come back in the same second.
 */
export interface BackoffOptions {
  baseMs?: number
  capMs?: number
  /** 0 ≤ random() < 1; injectable for tests. */
  random?: () => number
}

export const BACKOFF_BASE_MS = 1000
export const BACKOFF_CAP_MS = 60_000

/** The delay before retry number `attempt` (0 = the first retry). */
export function backoffDelay(attempt: number, options: BackoffOptions = {}): number {
  const base = options.baseMs ?? BACKOFF_BASE_MS
  const cap = options.capMs ?? BACKOFF_CAP_MS
  const random = options.random ?? Math.random
  // 2^attempt overflows to Infinity long before it matters; min() keeps it at the cap.
  const ceiling = Math.min(cap, base * 2 ** Math.max(0, attempt))
  return Math.round(ceiling / 2 + random() * (ceiling / 2))
}
