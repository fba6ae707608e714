import { describe, expect, it } from 'vitest'
import { createRetryPolicy, type RetryDecision } from './retry'

const delay = (d: RetryDecision) => (d.kind === 'retry' ? d.delayMs : null)

describe('retry policy', () => {
  it('doubles from 1 s to the 60 s cap, jittered between half and all of each step', () => {
    const low = createRetryPolicy({ random: () => 0 })
    const high = createRetryPolicy({ random: () => 0.999_999 })
    const lows = Array.from({ length: 9 }, () => delay(low.failed({ kind: 'network' })))
    const highs = Array.from({ length: 9 }, () => delay(high.failed({ kind: 'server', status: 503, message: '' })))
    expect(lows).toEqual([500, 1000, 2000, 4000, 8000, 16_000, 30_000, 30_000, 30_000])
    expect(highs).toEqual([1000, 2000, 4000, 8000, 16_000, 32_000, 60_000, 60_000, 60_000])
  })

  it('waits at least Retry-After on 429, and the backoff when that is longer', () => {
    const policy = createRetryPolicy({ random: () => 0 })
    expect(policy.failed({ kind: 'rate-limited', retryAfterMs: 7000 })).toEqual({ kind: 'retry', delayMs: 7000 })
    expect(policy.failed({ kind: 'rate-limited', retryAfterMs: 0 })).toEqual({ kind: 'retry', delayMs: 1000 })
  })

  it('stops on a refused token until cleared; a restart keeps the stop, a success or clear lifts it', () => {
    const policy = createRetryPolicy({ random: () => 0 })
    expect(policy.failed({ kind: 'auth' })).toEqual({ kind: 'stop' })
    expect(policy.stopped).toBe(true)
    policy.restart()
    expect(policy.stopped).toBe(true)
    policy.clear()
    expect(policy.stopped).toBe(false)
    policy.failed({ kind: 'auth' })
    policy.succeeded()
    expect(policy.stopped).toBe(false)
  })

  it('starts from the shortest delay again after a success or a restart', () => {
    const policy = createRetryPolicy({ random: () => 0 })
    policy.failed({ kind: 'network' })
    policy.failed({ kind: 'storage' })
    expect(delay(policy.failed({ kind: 'network' }))).toBe(2000)
    policy.succeeded()
    expect(delay(policy.failed({ kind: 'network' }))).toBe(500)
    policy.restart()
    expect(delay(policy.failed({ kind: 'too-large' }))).toBe(500)
  })
})
