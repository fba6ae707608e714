/**
 * Rate limit per access token through @fastify/rate-limit: a runaway client
 * gets 429 instead of starving the others, and a phone catching up (20,000
 * events = 40 pushes of 500) fits in the default burst.
 *
 * The plugin counts in fixed windows, not a token bucket, so the two settings
 * map onto its closest equivalent: at most `burst` requests per window of
 * `burst / perMinute` minutes. The sustained rate stays `perMinute` and
 * `burst` requests may still come back to back; unlike a bucket, the window
 * refills all at once (Retry-After says when), and a client timing a burst at
 * the end of one window and another at the start of the next gets 2 × burst
 * through in a short moment.
 */
import rateLimit from '@fastify/rate-limit'
import type { FastifyInstance } from 'fastify'
import { RateLimitedError } from './errors'

export interface RateLimitOptions {
  /** Sustained requests per minute; 0 turns limiting off. */
  perMinute: number
  /** Requests allowed back to back (at least 1 is used). */
  burst: number
}

/** The fixed window equivalent to the options: `max` requests per `timeWindowMs`; null when limiting is off. */
export function rateLimitWindow(options: RateLimitOptions): { max: number; timeWindowMs: number } | null {
  if (options.perMinute <= 0) return null
  const max = Math.max(1, Math.floor(options.burst))
  return { max, timeWindowMs: Math.max(1, Math.round((max * 60_000) / options.perMinute)) }
}

/**
 * Limits every route registered on `api` after this call, per token. Register
 * it after the auth guard's onRequest hook: the key is the token the guard set.
 * Past the limit a route answers 429 `rate_limited` with Retry-After (seconds,
 * at least 1) through the app's error handler.
 */
export async function registerRateLimit(api: FastifyInstance, options: RateLimitOptions): Promise<void> {
  const window = rateLimitWindow(options)
  if (!window) return
  const off = { 'x-ratelimit-limit': false, 'x-ratelimit-remaining': false, 'x-ratelimit-reset': false } as const
  await api.register(rateLimit, {
    max: window.max,
    timeWindow: window.timeWindowMs,
    hook: 'onRequest',
    // The guard rejects requests without a token before this runs; the address is a fallback only.
    keyGenerator: (request) => (request.token ? `token:${request.token.id}` : `ip:${request.ip}`),
    // Only Retry-After, set by the error handler, as before the plugin.
    addHeaders: { ...off, 'retry-after': false },
    addHeadersOnExceeding: off,
    errorResponseBuilder: (_request, context) => new RateLimitedError(Math.max(1, Math.ceil(context.ttl / 1000))),
  })
}
