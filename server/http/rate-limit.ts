/**
 * Token bucket per access token: `burst` requests at once, refilled at
 * `perMinute`. A phone catching up (20,000 events = 40 pushes of 500) fits in
 * the default burst; a runaway client gets 429 instead of starving the others.
 */
export interface RateLimitOptions {
  /** Sustained requests per minute; 0 turns limiting off. */
  perMinute: number
  /** Bucket size: requests allowed back to back. */
  burst: number
}

export interface RateDecision {
  allowed: boolean
  /** Seconds until one request would be allowed, when not allowed. */
  retryAfter: number
}

export class RateLimiter {
  private readonly buckets = new Map<string | number, { tokens: number; at: number }>()

  constructor(
    private readonly options: RateLimitOptions,
    private readonly now: () => number = () => performance.now(),
  ) {}

  take(key: string | number): RateDecision {
    const { perMinute, burst } = this.options
    if (perMinute <= 0) return { allowed: true, retryAfter: 0 }
    const now = this.now()
    const perMs = perMinute / 60_000
    const bucket = this.buckets.get(key) ?? { tokens: burst, at: now }
    bucket.tokens = Math.min(burst, bucket.tokens + (now - bucket.at) * perMs)
    bucket.at = now
    this.buckets.set(key, bucket)
    if (bucket.tokens >= 1) {
      bucket.tokens -= 1
      return { allowed: true, retryAfter: 0 }
    }
    return { allowed: false, retryAfter: Math.max(1, Math.ceil((1 - bucket.tokens) / perMs / 1000)) }
  }
}
