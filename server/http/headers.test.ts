/**
 * Every header the server sends on its kinds of response, pinned before the
 * hand-written hooks were replaced by @fastify/helmet and @fastify/rate-limit
 * and kept passing after: same headers, same CSP, same error bodies.
 */
import type { LightMyRequestResponse } from 'fastify'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createTestApp, fakeDist, tempDir } from '../test-support'
import type { TestApp } from '../test-support'

// Vary per run or per file; everything else is compared exactly.
const VOLATILE = new Set(['date', 'etag', 'last-modified', 'connection', 'keep-alive'])

function stable(res: LightMyRequestResponse): Record<string, unknown> {
  const headers = Object.entries(res.headers)
    .filter(([name]) => !VOLATILE.has(name))
    // Helmet joins directives with ';', the old hook with '; ': the same policy (CSP allows optional whitespace there).
    .map(([name, value]) => [name, name === 'content-security-policy' ? String(value).split(/;\s*/).join('; ') : value])
    .sort(([a], [b]) => String(a).localeCompare(String(b)))
  return { status: res.statusCode, headers: Object.fromEntries(headers) }
}

describe('response headers, header by header', () => {
  const dist = tempDir('cp-dist-headers-')
  let t: TestApp
  beforeAll(async () => {
    fakeDist(dist.path)
    t = await createTestApp({ distDir: dist.path, rateLimit: { perMinute: 60, burst: 1 } })
  })
  afterAll(async () => {
    await t.close()
    dist.remove()
  })

  it('on the app shell (/)', async () => {
    expect(stable(await t.app.inject({ method: 'GET', url: '/' }))).toMatchInlineSnapshot(`
      {
        "headers": {
          "accept-ranges": "bytes",
          "cache-control": "no-cache",
          "content-length": "62",
          "content-security-policy": "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data: blob:; connect-src 'self' https: http:; worker-src 'self'; manifest-src 'self'; object-src 'none'; base-uri 'self'; frame-ancestors 'none'",
          "content-type": "text/html; charset=utf-8",
          "referrer-policy": "no-referrer",
          "vary": "Accept-Encoding",
          "x-content-type-options": "nosniff",
        },
        "status": 200,
      }
    `)
  })

  // 54 bytes: {"ok":true,"version":…,"now":<13 digits>}, the server's clock for the phones.
  it('on /api/health', async () => {
    expect(stable(await t.app.inject({ method: 'GET', url: '/api/health' }))).toMatchInlineSnapshot(`
      {
        "headers": {
          "access-control-allow-headers": "Authorization, Content-Type, Last-Event-ID",
          "access-control-allow-methods": "GET, POST, OPTIONS",
          "access-control-allow-origin": "*",
          "access-control-expose-headers": "Retry-After",
          "access-control-max-age": "86400",
          "content-length": "102",
          "content-security-policy": "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data: blob:; connect-src 'self' https: http:; worker-src 'self'; manifest-src 'self'; object-src 'none'; base-uri 'self'; frame-ancestors 'none'",
          "content-type": "application/json; charset=utf-8",
          "referrer-policy": "no-referrer",
          "x-content-type-options": "nosniff",
        },
        "status": 200,
      }
    `)
  })

  it('on a hashed asset', async () => {
    expect(stable(await t.app.inject({ method: 'GET', url: '/assets/index-abc123.js' }))).toMatchInlineSnapshot(`
      {
        "headers": {
          "accept-ranges": "bytes",
          "cache-control": "public, max-age=31536000, immutable",
          "content-length": "14",
          "content-security-policy": "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data: blob:; connect-src 'self' https: http:; worker-src 'self'; manifest-src 'self'; object-src 'none'; base-uri 'self'; frame-ancestors 'none'",
          "content-type": "application/javascript; charset=utf-8",
          "referrer-policy": "no-referrer",
          "vary": "Accept-Encoding",
          "x-content-type-options": "nosniff",
        },
        "status": 200,
      }
    `)
  })

  it('on errors: 404, 401, and 429 with Retry-After', async () => {
    const notFound = await t.app.inject({ method: 'GET', url: '/api/nope' })
    expect({ ...stable(notFound), body: notFound.json() }).toMatchInlineSnapshot(`
      {
        "body": {
          "error": {
            "code": "not_found",
            "message": "no GET /api/nope",
          },
        },
        "headers": {
          "access-control-allow-headers": "Authorization, Content-Type, Last-Event-ID",
          "access-control-allow-methods": "GET, POST, OPTIONS",
          "access-control-allow-origin": "*",
          "access-control-expose-headers": "Retry-After",
          "access-control-max-age": "86400",
          "content-length": "59",
          "content-security-policy": "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data: blob:; connect-src 'self' https: http:; worker-src 'self'; manifest-src 'self'; object-src 'none'; base-uri 'self'; frame-ancestors 'none'",
          "content-type": "application/json; charset=utf-8",
          "referrer-policy": "no-referrer",
          "x-content-type-options": "nosniff",
        },
        "status": 404,
      }
    `)
    const unauthorized = await t.app.inject({ method: 'GET', url: '/api/events' })
    expect({ ...stable(unauthorized), body: unauthorized.json() }).toMatchInlineSnapshot(`
      {
        "body": {
          "error": {
            "code": "unauthorized",
            "message": "send Authorization: Bearer <token>",
          },
        },
        "headers": {
          "access-control-allow-headers": "Authorization, Content-Type, Last-Event-ID",
          "access-control-allow-methods": "GET, POST, OPTIONS",
          "access-control-allow-origin": "*",
          "access-control-expose-headers": "Retry-After",
          "access-control-max-age": "86400",
          "content-length": "80",
          "content-security-policy": "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data: blob:; connect-src 'self' https: http:; worker-src 'self'; manifest-src 'self'; object-src 'none'; base-uri 'self'; frame-ancestors 'none'",
          "content-type": "application/json; charset=utf-8",
          "referrer-policy": "no-referrer",
          "www-authenticate": "Bearer",
          "x-content-type-options": "nosniff",
        },
        "status": 401,
      }
    `)
    expect((await t.app.inject({ method: 'GET', url: '/api/events', headers: t.auth })).statusCode).toBe(200)
    const limited = await t.app.inject({ method: 'GET', url: '/api/events', headers: t.auth })
    expect({ ...stable(limited), body: limited.json() }).toMatchInlineSnapshot(`
      {
        "body": {
          "error": {
            "code": "rate_limited",
            "message": "too many requests; retry in 1 s",
          },
        },
        "headers": {
          "access-control-allow-headers": "Authorization, Content-Type, Last-Event-ID",
          "access-control-allow-methods": "GET, POST, OPTIONS",
          "access-control-allow-origin": "*",
          "access-control-expose-headers": "Retry-After",
          "access-control-max-age": "86400",
          "content-length": "77",
          "content-security-policy": "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data: blob:; connect-src 'self' https: http:; worker-src 'self'; manifest-src 'self'; object-src 'none'; base-uri 'self'; frame-ancestors 'none'",
          "content-type": "application/json; charset=utf-8",
          "referrer-policy": "no-referrer",
          "retry-after": "1",
          "x-content-type-options": "nosniff",
        },
        "status": 429,
      }
    `)
  })

  it('on a CORS preflight', async () => {
    const preflight = await t.app.inject({
      method: 'OPTIONS',
      url: '/api/events',
      headers: { origin: 'https://elsewhere.example', 'access-control-request-method': 'POST' },
    })
    expect(stable(preflight)).toMatchInlineSnapshot(`
      {
        "headers": {
          "access-control-allow-headers": "Authorization, Content-Type, Last-Event-ID",
          "access-control-allow-methods": "GET, POST, OPTIONS",
          "access-control-allow-origin": "*",
          "access-control-expose-headers": "Retry-After",
          "access-control-max-age": "86400",
          "content-security-policy": "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data: blob:; connect-src 'self' https: http:; worker-src 'self'; manifest-src 'self'; object-src 'none'; base-uri 'self'; frame-ancestors 'none'",
          "referrer-policy": "no-referrer",
          "x-content-type-options": "nosniff",
        },
        "status": 204,
      }
    `)
  })
})
