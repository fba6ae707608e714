/**
 * Every header the server sends on its kinds of response, pinned before the
 * hand-written hooks were replaced by @fastify/helmet and @fastify/rate-limit
 * and kept passing after: same headers, same CSP, same error bodies.
 */
import type { InjectOptions, LightMyRequestResponse } from 'fastify'
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

/** On every response, whatever its route. */
const SECURITY = {
  'content-security-policy':
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data: blob:; connect-src 'self' https: http:; worker-src 'self'; manifest-src 'self'; object-src 'none'; base-uri 'self'; frame-ancestors 'none'",
  'referrer-policy': 'no-referrer',
  'x-content-type-options': 'nosniff',
}
/** On every /api response, errors and the preflight included. */
const CORS = {
  'access-control-allow-headers': 'Authorization, Content-Type, Last-Event-ID',
  'access-control-allow-methods': 'GET, POST, OPTIONS',
  'access-control-allow-origin': '*',
  'access-control-expose-headers': 'Retry-After',
  'access-control-max-age': '86400',
}
/** A file from dist: the security headers, byte ranges, and its own cache policy, length and type. */
const file = (cacheControl: string, length: string, type: string) => ({
  ...SECURITY,
  'accept-ranges': 'bytes',
  vary: 'Accept-Encoding',
  'cache-control': cacheControl,
  'content-length': length,
  'content-type': type,
})
/** A JSON answer under /api (errors included): the security and CORS headers, its length and any `extra`. */
const api = (length: string, extra: Record<string, string> = {}) => ({
  ...SECURITY,
  ...CORS,
  'content-type': 'application/json; charset=utf-8',
  'content-length': length,
  ...extra,
})

interface Case {
  name: string
  /** The request, with the valid token when `auth`. */
  request: InjectOptions & { auth?: true }
  status: number
  /** Every header but the volatile ones, exactly: one more or one less fails. Absent: the status alone is checked. */
  headers?: Record<string, string>
  body?: unknown
}

/**
 * One row per kind of response, run in this order against one app: the
 * rate limiter (burst 1) lets the first authenticated request through and
 * answers the second 429.
 */
const CASES: Case[] = [
  {
    name: 'the app shell (/)',
    request: { method: 'GET', url: '/' },
    status: 200,
    headers: file('no-cache', '62', 'text/html; charset=utf-8'),
  },
  {
    // 102 bytes: {"ok":true,"version":…,"now":<13 digits>,…}, the server's clock for the phones.
    name: '/api/health',
    request: { method: 'GET', url: '/api/health' },
    status: 200,
    headers: api('102'),
  },
  {
    name: 'a hashed asset',
    request: { method: 'GET', url: '/assets/index-abc123.js' },
    status: 200,
    headers: file('public, max-age=31536000, immutable', '14', 'application/javascript; charset=utf-8'),
  },
  {
    name: 'a 404',
    request: { method: 'GET', url: '/api/nope' },
    status: 404,
    headers: api('59'),
    body: { error: { code: 'not_found', message: 'no GET /api/nope' } },
  },
  {
    name: 'a 401',
    request: { method: 'GET', url: '/api/events' },
    status: 401,
    headers: api('80', { 'www-authenticate': 'Bearer' }),
    body: { error: { code: 'unauthorized', message: 'send Authorization: Bearer <token>' } },
  },
  {
    name: 'the request the rate limiter lets through (its status only: the row is the 429 below)',
    request: { method: 'GET', url: '/api/events', auth: true },
    status: 200,
  },
  {
    name: 'a 429 with Retry-After',
    request: { method: 'GET', url: '/api/events', auth: true },
    status: 429,
    headers: api('77', { 'retry-after': '1' }),
    body: { error: { code: 'rate_limited', message: 'too many requests; retry in 1 s' } },
  },
  {
    name: 'a CORS preflight',
    request: {
      method: 'OPTIONS',
      url: '/api/events',
      headers: { origin: 'https://elsewhere.example', 'access-control-request-method': 'POST' },
    },
    status: 204,
    headers: { ...SECURITY, ...CORS },
  },
]

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

  it.each(CASES)('on $name', async ({ request: { auth, ...request }, status, headers, body }) => {
    const res = await t.app.inject(auth ? { ...request, headers: { ...request.headers, ...t.auth } } : request)
    if (headers) expect(stable(res)).toEqual({ status, headers })
    else expect(res.statusCode).toBe(status)
    if (body !== undefined) expect(res.json()).toEqual(body)
  })
})
