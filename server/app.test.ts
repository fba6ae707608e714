import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { makeEvent } from '../tests/fixtures/events'
import { CONTENT_SECURITY_POLICY } from './http/headers'
import { createTestApp, fakeDist, tempDir } from './test-support'
import type { TestApp } from './test-support'

const apps: TestApp[] = []
afterEach(async () => {
  for (const a of apps.splice(0)) await a.close()
})
async function app(options: Parameters<typeof createTestApp>[0] = {}) {
  const t = await createTestApp(options)
  apps.push(t)
  return t
}

describe('GET /api/health', () => {
  it('answers ok, the package version and the database identity without a token', async () => {
    const t = await app({ version: '1.2.3' })
    const res = await t.app.inject({ method: 'GET', url: '/api/health' })
    expect(res.statusCode).toBe(200)
    expect(res.json()).toEqual({
      ok: true,
      version: '1.2.3',
      streams: 0,
      serverId: await t.store.serverId(),
      now: expect.any(Number),
    })
  })
})

describe('authentication', () => {
  const routes = [
    ['GET', '/api/events'],
    ['POST', '/api/events'],
    ['GET', '/api/events/stream'],
  ] as const

  it.each(routes)('%s %s needs a token', async (method, url) => {
    const t = await app()
    const res = await t.app.inject({
      method,
      url,
      payload: method === 'POST' ? { events: [makeEvent('log.entry')] } : undefined,
    })
    expect(res.statusCode).toBe(401)
    expect(res.headers['www-authenticate']).toBe('Bearer')
    expect(res.json()).toEqual({ error: { code: 'unauthorized', message: expect.any(String) } })
  })

  it.each(['Bearer wrong', 'Bearer ' + 'A'.repeat(43), 'Basic dXNlcjpwYXNz', 'Bearer'])(
    'refuses %s',
    async (authorization) => {
      const t = await app()
      const res = await t.app.inject({ method: 'GET', url: '/api/events', headers: { authorization } })
      expect(res.statusCode).toBe(401)
    },
  )

  it('refuses a revoked token, and stores nothing it sent', async () => {
    const t = await app()
    const { token } = await t.tokens.issue('Dana')
    const headers = { authorization: `Bearer ${token}` }
    expect((await t.app.inject({ method: 'GET', url: '/api/events', headers })).statusCode).toBe(200)
    await t.tokens.revoke('Dana')
    const res = await t.app.inject({
      method: 'POST',
      url: '/api/events',
      headers,
      payload: { events: [makeEvent('log.entry')] },
    })
    expect(res.statusCode).toBe(401)
    expect(await t.store.lastSeq()).toBe(0)
  })

  it('answers 401 before looking at an oversized body', async () => {
    const t = await app()
    const res = await t.app.inject({
      method: 'POST',
      url: '/api/events',
      headers: { 'content-type': 'application/json' },
      payload: 'x'.repeat(2_000_000),
    })
    expect(res.statusCode).toBe(401)
  })
})

describe('rate limiting', () => {
  it('answers 429 with Retry-After past the burst, per token', async () => {
    const t = await app({ rateLimit: { perMinute: 60, burst: 3 } })
    const get = (headers: Record<string, string>) => t.app.inject({ method: 'GET', url: '/api/events', headers })
    for (let i = 0; i < 3; i++) expect((await get(t.auth)).statusCode).toBe(200)
    const limited = await get(t.auth)
    expect(limited.statusCode).toBe(429)
    // 60 a minute with a burst of 3 is a window of 3 requests per 3 s (http/rate-limit.ts): retry when it ends.
    expect(limited.headers['retry-after']).toBe('3')
    expect(limited.json().error.code).toBe('rate_limited')
    const { token } = await t.tokens.issue('Other')
    expect((await get({ authorization: `Bearer ${token}` })).statusCode).toBe(200)
    // Health stays open: load balancers poll it.
    expect((await t.app.inject({ method: 'GET', url: '/api/health' })).statusCode).toBe(200)
  })

  it('lets a 20,000-event catch-up (40 pushes of 500) through with the defaults', async () => {
    const t = await app()
    for (let i = 0; i < 45; i++) {
      const res = await t.app.inject({ method: 'GET', url: '/api/events', headers: t.auth })
      expect(res.statusCode).toBe(200)
    }
  })
})

describe('headers', () => {
  it('puts the security headers on every response, errors included', async () => {
    const t = await app()
    for (const res of [
      await t.app.inject({ method: 'GET', url: '/api/health' }),
      await t.app.inject({ method: 'GET', url: '/api/events' }),
      await t.app.inject({ method: 'GET', url: '/api/nope' }),
    ]) {
      expect(res.headers['content-security-policy']).toBe(CONTENT_SECURITY_POLICY)
      expect(res.headers['x-content-type-options']).toBe('nosniff')
      expect(res.headers['referrer-policy']).toBe('no-referrer')
    }
    expect(CONTENT_SECURITY_POLICY).toBe(
      "default-src 'self';script-src 'self';style-src 'self';img-src 'self' data: blob:;connect-src 'self' https: http:;worker-src 'self';manifest-src 'self';object-src 'none';base-uri 'self';frame-ancestors 'none'",
    )
  })

  it('answers a CORS preflight without a token, and allows Authorization', async () => {
    const t = await app()
    const res = await t.app.inject({
      method: 'OPTIONS',
      url: '/api/events',
      headers: {
        origin: 'https://elsewhere.example',
        'access-control-request-method': 'POST',
        'access-control-request-headers': 'authorization, content-type',
      },
    })
    expect(res.statusCode).toBe(204)
    expect(res.headers['access-control-allow-origin']).toBe('*')
    expect(res.headers['access-control-allow-headers']).toMatch(/Authorization/)
    expect(res.headers['access-control-allow-methods']).toMatch(/POST/)
    const get = await t.app.inject({
      method: 'GET',
      url: '/api/events',
      headers: { ...t.auth, origin: 'https://elsewhere.example' },
    })
    expect(get.headers['access-control-allow-origin']).toBe('*')
  })

  it('answers JSON 404 to an unknown /api route', async () => {
    const t = await app()
    const res = await t.app.inject({ method: 'GET', url: '/api/nope' })
    expect(res.statusCode).toBe(404)
    expect(res.json().error.code).toBe('not_found')
  })
})

describe('the built app', () => {
  const dist = tempDir('cp-dist-')
  beforeAll(() => {
    fakeDist(dist.path)
  })
  afterAll(() => dist.remove())

  it.each(['/', '/runbooks/switch-down', '/incidents/01JABCDEF', '/settings?x=1'])(
    'serves index.html for %s, not cached',
    async (url) => {
      const t = await app({ distDir: dist.path })
      const res = await t.app.inject({ method: 'GET', url })
      expect(res.statusCode).toBe(200)
      expect(res.headers['content-type']).toMatch(/text\/html/)
      expect(res.body).toContain('<div id="app">')
      expect(res.headers['cache-control']).toBe('no-cache')
      expect(res.headers['content-security-policy']).toBe(CONTENT_SECURITY_POLICY)
    },
  )

  it.each([
    ['/sw.js', 'no-cache'],
    ['/manifest.webmanifest', 'no-cache'],
    ['/index.html', 'no-cache'],
    ['/assets/index-abc123.js', 'public, max-age=31536000, immutable'],
    ['/robots.txt', 'public, max-age=3600'],
  ])('serves %s with Cache-Control %s', async (url, cacheControl) => {
    const t = await app({ distDir: dist.path })
    const res = await t.app.inject({ method: 'GET', url })
    expect(res.statusCode).toBe(200)
    expect(res.headers['cache-control']).toBe(cacheControl)
  })

  it('answers 404, not HTML, for a missing hashed asset', async () => {
    const t = await app({ distDir: dist.path })
    expect((await t.app.inject({ method: 'GET', url: '/assets/gone-123.js' })).statusCode).toBe(404)
  })

  it('does not fall back for /api or for other methods', async () => {
    const t = await app({ distDir: dist.path })
    expect((await t.app.inject({ method: 'GET', url: '/api/unknown' })).json().error.code).toBe('not_found')
    expect((await t.app.inject({ method: 'POST', url: '/incidents/1' })).statusCode).toBe(404)
  })

  it('answers 404 when no app is built', async () => {
    const t = await app({ distDir: dist.path + '-missing' })
    expect((await t.app.inject({ method: 'GET', url: '/incidents/1' })).statusCode).toBe(404)
  })
})
