/**
 * Slow-client soak: 1,000 connections each hold a request half sent (in the
 * headers or in the body) against a real server with the default limits;
 * /api/health must keep answering. Its p95 is printed here and reported by
 * `npm run bench` (target ≤ 100 ms); this test asserts it answers, not how fast.
 */
import { afterAll, describe, expect, it } from 'vitest'
import { createTestApp } from './test-support'
import type { TestApp } from './test-support'
import { healthTimes, openPartialRequests, p95 } from './hostile-load'

let t: TestApp | undefined
afterAll(async () => {
  await t?.close()
})

describe('slow-client soak', () => {
  it('keeps /api/health answering while 1,000 partial requests hang', { timeout: 60_000 }, async () => {
    t = await createTestApp()
    const url = await t.app.listen({ port: 0, host: '127.0.0.1' })
    const partial = await openPartialRequests(Number(new URL(url).port), 1_000)
    try {
      const times = await healthTimes(url, 50)
      expect(times).toHaveLength(50)
      process.stdout.write(`soak: health p95 ${p95(times).toFixed(1)} ms with 1,000 partial requests open\n`)
      // And a real push still works.
      const push = await t.app.inject({ method: 'GET', url: '/api/events', headers: t.auth })
      expect(push.statusCode).toBe(200)
    } finally {
      partial.close()
    }
  })
})
