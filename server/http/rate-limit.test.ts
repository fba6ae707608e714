import { describe, expect, it } from 'vitest'
import { RateLimiter } from './rate-limit'

describe('token bucket', () => {
  it('allows a burst, then refills at the per-minute rate, per key', () => {
    let now = 0
    const limiter = new RateLimiter({ perMinute: 60, burst: 3 }, () => now)
    expect([1, 2, 3].map(() => limiter.take('a').allowed)).toEqual([true, true, true])
    expect(limiter.take('a')).toEqual({ allowed: false, retryAfter: 1 })
    expect(limiter.take('b').allowed).toBe(true)
    now += 1000
    expect(limiter.take('a').allowed).toBe(true)
    expect(limiter.take('a').allowed).toBe(false)
    now += 60_000
    expect([1, 2, 3, 4].map(() => limiter.take('a').allowed)).toEqual([true, true, true, false])
  })

  it('is off at 0 per minute', () => {
    const limiter = new RateLimiter({ perMinute: 0, burst: 0 })
    for (let i = 0; i < 1000; i++) expect(limiter.take('a').allowed).toBe(true)
  })
})
