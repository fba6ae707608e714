import Fastify from 'fastify'
import { afterEach, describe, expect, it, vi } from 'vitest'
import type { TokenRecord } from '../store/types'
import { errorHandler } from './errors'
import { rateLimitWindow, registerRateLimit } from './rate-limit'
import type { RateLimitOptions } from './rate-limit'

describe('rateLimitWindow', () => {
  it('keeps the sustained rate and the burst: burst requests per burst / perMinute minutes', () => {
    expect(rateLimitWindow({ perMinute: 600, burst: 600 })).toEqual({ max: 600, timeWindowMs: 60_000 })
    expect(rateLimitWindow({ perMinute: 60, burst: 3 })).toEqual({ max: 3, timeWindowMs: 3_000 })
    expect(rateLimitWindow({ perMinute: 120, burst: 1200 })).toEqual({ max: 1200, timeWindowMs: 600_000 })
  })

  it('is off at 0 per minute, and a burst below 1 still lets one request through', () => {
    expect(rateLimitWindow({ perMinute: 0, burst: 0 })).toBeNull()
    expect(rateLimitWindow({ perMinute: 60, burst: 0 })).toEqual({ max: 1, timeWindowMs: 1_000 })
  })
})

describe('registerRateLimit', () => {
  afterEach(() => {
    vi.useRealTimers()
  })

  /** A route behind the limit; the `x-token` header stands in for the auth guard. */
  async function limitedApp(options: RateLimitOptions) {
    const app = Fastify()
    app.decorateRequest('token', null)
    app.setErrorHandler(errorHandler)
    app.addHook('onRequest', async (request) => {
      request.token = { id: Number(request.headers['x-token']) } as TokenRecord
    })
    await registerRateLimit(app, options)
    app.get('/', async () => ({ ok: true }))
    await app.ready()
    return {
      app,
      get: (token: number) => app.inject({ method: 'GET', url: '/', headers: { 'x-token': String(token) } }),
    }
  }

  it('allows the burst per token, then 429 rate_limited with Retry-After until the window ends', async () => {
    // Only Date: the plugin's window is measured with Date.now().
    vi.useFakeTimers({ toFake: ['Date'] })
    const { app, get } = await limitedApp({ perMinute: 60, burst: 3 })
    for (let i = 0; i < 3; i++) expect((await get(1)).statusCode).toBe(200)
    const limited = await get(1)
    expect(limited.statusCode).toBe(429)
    expect(limited.headers['retry-after']).toBe('3')
    expect(limited.json()).toEqual({ error: { code: 'rate_limited', message: 'too many requests; retry in 3 s' } })
    expect(Object.keys(limited.headers).filter((h) => h.startsWith('x-ratelimit'))).toEqual([])
    expect((await get(2)).statusCode).toBe(200)
    vi.advanceTimersByTime(2_000)
    expect((await get(1)).headers['retry-after']).toBe('1')
    vi.advanceTimersByTime(1_000)
    const again: number[] = []
    for (let i = 0; i < 4; i++) again.push((await get(1)).statusCode)
    expect(again).toEqual([200, 200, 200, 429])
    await app.close()
  })

  it('is off at 0 per minute', async () => {
    const { app, get } = await limitedApp({ perMinute: 0, burst: 0 })
    for (let i = 0; i < 50; i++) expect((await get(1)).statusCode).toBe(200)
    await app.close()
  })
})
