/**
 * Hostile clients against a real listening server (raw sockets): too large,
 * too slow, bodies where none belong, too many streams, wrong tokens, deep
 * JSON. Each answer is the contract's `{ error: { code, message } }`.
 * Timeouts are configured short; tests wait for the server's answer or close,
 * never for a fixed time.
 */
import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import fc from 'fast-check'
import { afterEach, describe, expect, it } from 'vitest'
import { makeEvents } from '../../tests/fixtures/events'
import { rawRequest, SseReader, tempDir, TestApps } from '../test-support'
import type { LiveApp, TestApp } from '../test-support'
import { AuthFailureLimiter } from '../auth/failures'
import { loadConfig } from '../config'
import { jsonShapeProblem, JsonShapeScanner, MAX_JSON_DEPTH, mayPoison } from './json'
import { defaultMaxConnections } from './limits'

const apps = new TestApps({ heartbeatMs: 60_000 })
afterEach(() => apps.closeAll())

/** POSTs `payload` to /api/events as it is, typed `contentType`, with the token (inject: no socket). */
const postRaw = (t: TestApp, contentType: string, payload: string) =>
  t.app.inject({ method: 'POST', url: '/api/events', headers: { ...t.auth, 'content-type': contentType }, payload })
/** POSTs a JSON `body` to /api/events over a real connection, with the token. */
const fetchJson = (t: LiveApp, body: string) =>
  fetch(`${t.url}/api/events`, { method: 'POST', headers: { ...t.auth, 'content-type': 'application/json' }, body })

const post = (t: LiveApp, extra: string) =>
  `POST /api/events HTTP/1.1\r\nHost: x\r\nAuthorization: ${t.auth.authorization}\r\nContent-Type: application/json\r\n${extra}\r\n`

describe('a body that is too large', () => {
  it('is answered 413 too_large, readable by a client still uploading (lingering close, not a reset)', async () => {
    const t = await apps.live()
    // Announced too large: refused before a byte of it is read.
    const announced = await rawRequest(t.port, post(t, `Content-Length: ${8 << 20}\r\n`), { upload: 8 << 20 })
    expect(announced.status).toBe(413)
    expect(announced.body).toEqual({ error: { code: 'too_large', message: 'request body is larger than 1 MiB' } })
    // Chunked: found too large while reading.
    const chunked = await rawRequest(t.port, post(t, `Transfer-Encoding: chunked\r\n\r\n${(8 << 20).toString(16)}`), {
      upload: 8 << 20,
    })
    expect(chunked.status).toBe(413)
    expect(chunked.body).toEqual({ error: { code: 'too_large', message: 'request body is larger than 1 MiB' } })
    expect(chunked.text).toMatch(/\r\nconnection: close\r\n/i)
  })
})

describe('slow and partial requests', () => {
  const timeouts = { headersTimeoutMs: 300, requestTimeoutMs: 600, bodyTimeoutMs: 300 }

  it('answer 408 timeout and close when the headers never end', async () => {
    const t = await apps.live({ limits: timeouts })
    const res = await rawRequest(t.port, 'POST /anything HTTP/1.1\r\nHost: x\r\nX-Slow: 1\r\n')
    expect(res.status).toBe(408)
    expect(res.body).toEqual({
      error: { code: 'timeout', message: 'the request did not arrive in time; send it again' },
    })
  })

  it('answer 408 timeout and close when the body stops arriving', async () => {
    const t = await apps.live({ limits: timeouts })
    const res = await rawRequest(t.port, `${post(t, 'Content-Length: 100\r\n')}{"events":[`)
    expect(res.status).toBe(408)
    expect(res.body).toEqual({ error: { code: 'timeout', message: expect.stringMatching(/^no part of the body/) } })
    expect(res.text).toMatch(/\r\nconnection: close\r\n/i)
  })

  it('answer 408 when a body trickles in past the request timeout', async () => {
    const t = await apps.live({ limits: { headersTimeoutMs: 200, requestTimeoutMs: 400, bodyTimeoutMs: 10_000 } })
    const res = await new Promise<Awaited<ReturnType<typeof rawRequest>>>((resolve) => {
      const pending = rawRequest(t.port, `${post(t, 'Content-Length: 1000\r\n')}{`)
      void pending.then(resolve)
    })
    expect(res.status).toBe(408)
    expect((res.body as { error: { code: string } }).error.code).toBe('timeout')
  })

  it('keep the server answering while they wait', async () => {
    const t = await apps.live({ limits: timeouts })
    const stuck = Array.from({ length: 20 }, () => rawRequest(t.port, `${post(t, 'Content-Length: 100\r\n')}{`))
    const health = await fetch(`http://127.0.0.1:${t.port}/api/health`)
    expect(health.status).toBe(200)
    for (const res of await Promise.all(stuck)) expect(res.status).toBe(408)
  })
})

describe('one error shape for what Fastify and Node refuse', () => {
  it('refuses a GET with a body, the event stream included, with a JSON 400 (no stream, no reset)', async () => {
    const t = await apps.live()
    for (const path of ['/api/events', '/api/events/stream', '/api/health']) {
      const res = await rawRequest(
        t.port,
        `GET ${path} HTTP/1.1\r\nHost: x\r\nAuthorization: ${t.auth.authorization}\r\nContent-Type: application/json\r\nContent-Length: 7\r\n\r\n{"a":1}`,
        { untilAnswer: true },
      )
      expect(res.status, path).toBe(400)
      expect(res.body).toEqual({ error: { code: 'bad_request', message: 'a GET request carries no body' } })
    }
    // Still uploading a large body to the stream: the answer is read, not a reset.
    const big = await rawRequest(
      t.port,
      `GET /api/events/stream HTTP/1.1\r\nHost: x\r\nAuthorization: ${t.auth.authorization}\r\nContent-Length: ${4 << 20}\r\n\r\n`,
      { upload: 4 << 20 },
    )
    expect(big.status).toBe(400)
    expect(big.body).toEqual({ error: { code: 'bad_request', message: 'a GET request carries no body' } })
  })

  it('answers an unparseable request, a bad URL and oversized headers in the contract shape', async () => {
    const t = await apps.live()
    const garbage = await rawRequest(t.port, 'GARBAGE\r\n\r\n')
    expect(garbage.status).toBe(400)
    expect(garbage.body).toEqual({ error: { code: 'bad_request', message: 'the request is not valid HTTP/1.1' } })
    const url = await rawRequest(t.port, 'GET /%zz HTTP/1.1\r\nHost: x\r\n\r\n', { untilAnswer: true })
    expect(url.status).toBe(400)
    expect(url.body).toEqual({ error: { code: 'bad_request', message: "'/%zz' is not a valid url component" } })
    const headers = await rawRequest(
      t.port,
      `GET /api/health HTTP/1.1\r\nHost: x\r\nX-Big: ${'a'.repeat(20_000)}\r\n\r\n`,
    )
    expect(headers.status).toBe(431)
    expect(headers.body).toEqual({ error: { code: 'too_large', message: 'the request headers are too large' } })
  })

  it('answers a body of the wrong type, or not as long as announced, in the contract shape', async () => {
    const t = await apps.app()
    const text = await postRaw(t, 'application/xml', '<events/>')
    expect(text.statusCode).toBe(400)
    expect(text.json()).toEqual({
      error: { code: 'unsupported_media_type', message: 'send the body as application/json' },
    })
  })
})

describe('JSON bodies of bounded shape', () => {
  it('refuses a 600 KB deeply nested body with 400 before parsing it', async () => {
    const t = await apps.live()
    const deep = '['.repeat(300_000) + ']'.repeat(300_000)
    const res = await fetchJson(t, `{"events":${deep}}`)
    expect(res.status).toBe(400)
    expect(await res.json()).toEqual({
      error: { code: 'bad_request', message: `the body nests deeper than ${MAX_JSON_DEPTH} levels` },
    })
  })

  it('refuses a deep body at the first chunk that breaks the limit, without waiting for the rest of it', async () => {
    const t = await apps.live()
    // 600 KB announced, 2 KB sent, the rest never: the answer must not wait for bytes that cannot change it.
    const start = `{"events":${'['.repeat(2_000)}`
    const res = await rawRequest(t.port, post(t, `Content-Length: 600000\r\n`) + start, { untilAnswer: true })
    expect(res.status).toBe(400)
    expect(res.body).toEqual({
      error: { code: 'bad_request', message: `the body nests deeper than ${MAX_JSON_DEPTH} levels` },
    })
    expect(res.text).toMatch(/\r\nconnection: close\r\n/i)
  })

  it('gives the same answer for a body in any split into chunks (strings, escapes and characters cut anywhere)', () => {
    fc.assert(
      fc.property(
        fc.array(fc.oneof(fc.constantFrom('{', '}', '[', ']', ':', '"', '\\', ',', 'é', '日', ' '), fc.string()), {
          maxLength: 60,
        }),
        fc.array(fc.nat(), { maxLength: 8 }),
        fc.integer({ min: 0, max: 6 }),
        fc.integer({ min: 0, max: 6 }),
        (parts, cuts, depth, keys) => {
          const bytes = Buffer.from(parts.join(''), 'utf8')
          const whole = jsonShapeProblem(bytes, depth, keys)
          const at = [...new Set(cuts.map((c) => c % (bytes.length + 1)))].sort((a, b) => a - b)
          const scanner = new JsonShapeScanner(depth, keys)
          let split: ReturnType<typeof jsonShapeProblem> = null
          let from = 0
          for (const to of [...at, bytes.length]) {
            split ??= scanner.feed(bytes.subarray(from, to))
            from = to
          }
          expect(split).toEqual(whole)
        },
      ),
      { numRuns: 2_000 },
    )
  })

  it('carries an escape cut from what it escapes across chunks, at every cut of escape-heavy bodies', () => {
    // Structure hidden inside strings behind escaped quotes and backslashes: read wrongly, it breaks both limits.
    const samples = ['{"a":"\\"[[[:{{:"}', '{"b":"\\\\"}', '{"c":"x\\\\\\"[[:[["}', '["\\\\\\\\","[[:"]']
    for (const text of samples) {
      const bytes = Buffer.from(text, 'utf8')
      const whole = jsonShapeProblem(bytes, 2, 1)
      expect(whole, text).toBeNull()
      for (let cut = 0; cut <= bytes.length; cut++) {
        const scanner = new JsonShapeScanner(2, 1)
        const split = scanner.feed(bytes.subarray(0, cut)) ?? scanner.feed(bytes.subarray(cut))
        expect(split, `${text} cut at ${cut}`).toEqual(whole)
      }
    }
  })

  it('refuses a body with too many keys as 413 (the app splits the batch), and keeps honest pushes', async () => {
    const t = await apps.live()
    const many = `{"events":[{${Array.from({ length: 60_000 }, (_, i) => `"k${i}":0`).join(',')}}]}`
    const res = await fetchJson(t, many)
    expect(res.status).toBe(413)
    expect(await res.json()).toEqual({
      error: { code: 'too_large', message: 'the body holds more than 50000 keys; split it' },
    })
    const events = makeEvents(500)
    const ok = await t.app.inject({ method: 'POST', url: '/api/events', headers: t.auth, payload: { events } })
    expect(ok.json().accepted).toHaveLength(500)
  })

  it('counts only structure outside strings, and still refuses __proto__', async () => {
    expect(jsonShapeProblem('{"a":"[[[[[[::::{{{{\\"[[["}', 2, 1)).toBeNull()
    expect(jsonShapeProblem('[[[]]]', 2)).toEqual({ status: 400, message: 'the body nests deeper than 2 levels' })
    expect(jsonShapeProblem('{"a":1,"b":2}', 5, 1)?.status).toBe(413)
    const t = await apps.app()
    const res = await postRaw(t, 'application/json', '{"events":[{"__proto__":{"x":1}}]}')
    expect(res.statusCode).toBe(400)
    expect(res.json().error.code).toBe('invalid_json')
  })

  it('parses plain bodies itself and leaves every poisoned, BOM-led or empty one to Fastify’s parser', async () => {
    const push = Buffer.from(JSON.stringify({ events: makeEvents(50) }))
    expect(mayPoison(push)).toBe(false)
    const poisoned = [
      '{"events":[{"__proto__":{"x":1}}]}',
      '{"events":[{"\\u005f_proto__":{"x":1}}]}',
      '{"events":[{"__pro\\u0074o__":{"x":1}}]}',
      '{"events":[],"constructor":{"prototype":{"x":1}}}',
      '{"events":[],"c\\u006fnstructor":{"prototype":{"x":1}}}',
    ]
    const t = await apps.app()
    for (const body of poisoned) {
      expect(mayPoison(Buffer.from(body)), body).toBe(true)
      const res = await postRaw(t, 'application/json', body)
      expect(res.statusCode, body).toBe(400)
      expect(res.json().error.code, body).toBe('invalid_json')
    }
    const broken = await postRaw(t, 'application/json', '{"events":[')
    expect(broken.statusCode).toBe(400)
    expect(broken.json().error.code).toBe('invalid_json')
    const events = makeEvents(2)
    const bom = await postRaw(t, 'application/json', `\ufeff${JSON.stringify({ events })}`)
    expect(bom.json().accepted).toEqual(events.map((e) => e.id))
  })

  it('counts the raw UTF-8 bytes, so a body is checked before it is decoded', () => {
    // [text, deepest nesting, keys]: multi-byte characters inside and beside strings, escaped quotes and backslashes.
    const samples: [string, number, number][] = [
      ['{"é[":"\\"{{ – ✓ 🚒","b":[[{"c":"\\\\"}]]}', 4, 3],
      ['{"a":"ß\\\\","b":{"c":{"d":1}}}', 3, 4],
      ['[[["日本語:{"]]]', 3, 0],
      ['{"x":"\\u005b[[[","y":[[[[]]]]}', 5, 2],
    ]
    for (const [text, depth, keys] of samples) {
      const bytes = Buffer.from(text, 'utf8')
      expect(jsonShapeProblem(bytes, depth, keys)).toBeNull()
      expect(jsonShapeProblem(bytes, depth - 1, keys)).toEqual({
        status: 400,
        message: `the body nests deeper than ${depth - 1} levels`,
      })
      if (keys > 0) expect(jsonShapeProblem(bytes, depth, keys - 1)?.status).toBe(413)
    }
  })
})

describe('event streams per token and per address', () => {
  /** Opens a stream and waits until it is registered (its ": connected"); a refusal is returned unread. */
  async function openStream(t: LiveApp, headers: Record<string, string>): Promise<Response> {
    const response = await fetch(`http://127.0.0.1:${t.port}/api/events/stream`, { headers })
    if (!response.ok || !response.body) return response
    const sse = apps.adopt(new SseReader(response.body.getReader()))
    expect((await sse.next(undefined, true)).comment).toBe('connected')
    return response
  }

  it('refuses a stream past the per-token limit with 429 too_many_streams and Retry-After; closing one frees its place', async () => {
    const t = await apps.live({ limits: { streamsPerToken: 2, streamsPerAddress: 100 } })
    expect((await openStream(t, t.auth)).status).toBe(200)
    expect((await openStream(t, t.auth)).status).toBe(200)
    const third = await openStream(t, t.auth)
    expect(third.status).toBe(429)
    expect(third.headers.get('retry-after')).toBe('30')
    expect(await third.json()).toEqual({
      error: {
        code: 'too_many_streams',
        message: 'this access token already has 2 open streams; close one or retry in 30 s',
      },
    })
    // Another token is not affected.
    const { token } = await t.tokens.issue('Other')
    expect((await openStream(t, { authorization: `Bearer ${token}` })).status).toBe(200)
    await apps.readers[0]!.cancel()
    // The server frees the place when it sees the close: poll (each refused try is answered at once).
    await expect.poll(async () => (await openStream(t, t.auth)).status, { timeout: 10_000 }).toBe(200)
  })

  it('refuses a stream past the per-address limit, counting the proxy-given address under TRUST_PROXY', async () => {
    const t = await apps.live({ trustProxy: true, limits: { streamsPerToken: 100, streamsPerAddress: 1 } })
    const from = (ip: string) => ({ ...t.auth, 'x-forwarded-for': ip })
    expect((await openStream(t, from('10.0.0.1'))).status).toBe(200)
    expect((await openStream(t, from('10.0.0.1'))).status).toBe(429)
    expect((await openStream(t, from('10.0.0.2'))).status).toBe(200)
  })
})

describe('failed authentications per address', () => {
  it('answer 429 rate_limited with Retry-After past the limit; a valid token still works there and elsewhere', async () => {
    const t = await apps.app({ authFailuresPerMinute: 3 })
    const get = (ip: string, authorization: string) =>
      t.app.inject({ method: 'GET', url: '/api/events', remoteAddress: ip, headers: { authorization } })
    const wrong = `Bearer ${'x'.repeat(43)}`
    for (let i = 0; i < 3; i++) expect((await get('10.0.0.1', wrong)).statusCode).toBe(401)
    const limited = await get('10.0.0.1', wrong)
    expect(limited.statusCode).toBe(429)
    expect(Number(limited.headers['retry-after'])).toBeGreaterThanOrEqual(1)
    expect(limited.json().error.code).toBe('rate_limited')
    // No token at all counts as a failure too.
    expect((await t.app.inject({ method: 'GET', url: '/api/events', remoteAddress: '10.0.0.1' })).statusCode).toBe(429)
    // The valid token: from the limited address and from another one.
    expect((await get('10.0.0.1', t.auth.authorization)).statusCode).toBe(200)
    expect((await get('10.0.0.2', t.auth.authorization)).statusCode).toBe(200)
    expect((await get('10.0.0.2', wrong)).statusCode).toBe(401)
  })

  it('forgets failures when the minute ends', () => {
    let now = 0
    const limiter = new AuthFailureLimiter(1, () => now)
    expect(limiter.fail('a')).toBeNull()
    now = 15_000
    expect(limiter.fail('a')).toBe(45)
    now = 60_000
    expect(limiter.fail('a')).toBeNull()
    expect(new AuthFailureLimiter(0).fail('a')).toBeNull()
  })
})

describe('settings', () => {
  it('caps connections below the open-files limit, and reads every limit from the environment', () => {
    const dir = tempDir('cp-limits-')
    const file = join(dir.path, 'limits')
    writeFileSync(file, 'Max open files            1024                 4096                 files\n')
    expect(defaultMaxConnections(file)).toBe(924)
    expect(defaultMaxConnections(join(dir.path, 'missing'))).toBe(924)
    dir.remove()
    const c = loadConfig({
      REQUEST_TIMEOUT_MS: '20000',
      HEADERS_TIMEOUT_MS: '5000',
      BODY_TIMEOUT_MS: '4000',
      KEEP_ALIVE_TIMEOUT_MS: '3000',
      MAX_CONNECTIONS: '500',
      STREAMS_PER_TOKEN: '5',
      STREAMS_PER_ADDRESS: '50',
      AUTH_FAILURES_PER_MINUTE: '10',
    })
    expect(c.limits).toEqual({
      requestTimeoutMs: 20_000,
      headersTimeoutMs: 5_000,
      bodyTimeoutMs: 4_000,
      keepAliveTimeoutMs: 3_000,
      maxConnections: 500,
      streamsPerToken: 5,
      streamsPerAddress: 50,
    })
    expect(c.authFailuresPerMinute).toBe(10)
    expect(() => loadConfig({ REQUEST_TIMEOUT_MS: '5' })).toThrow(/REQUEST_TIMEOUT_MS/)
  })

  it('applies the connection cap and the timeouts to the listening server', async () => {
    const t = await apps.live({ limits: { maxConnections: 7, keepAliveTimeoutMs: 1234, requestTimeoutMs: 4321 } })
    expect(t.app.server.maxConnections).toBe(7)
    expect(t.app.server.keepAliveTimeout).toBe(1234)
    expect(t.app.server.requestTimeout).toBe(4321)
    expect(t.app.server.headersTimeout).toBe(4321)
  })
})
