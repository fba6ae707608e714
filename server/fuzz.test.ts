/**
 * The standing fuzz suite: property-based requests to every route through
 * `inject` (fast), then raw bytes on a real socket (what inject cannot send:
 * broken request lines, lying Content-Lengths, bodies cut short). For every
 * case: no 5xx, every error in the contract's shape, nothing stored by a
 * refused request, the seeded events unchanged, and the server healthy after.
 *
 * Seeded: the seed is printed; FUZZ_SEED=<n> replays a run, FUZZ_RUNS=<n>
 * scales it (default 9,000 inject cases + 1,200 raw ones).
 */
import fc from 'fast-check'
import * as v from 'valibot'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { ErrorBodySchema } from '../src/domain/wire'
import { makeEvents } from '../tests/fixtures/events'
import { createTestApp, rawRequest } from './test-support'
import type { TestApp } from './test-support'

const SEED = Number(process.env.FUZZ_SEED) || Date.now() % 2 ** 31
const INJECT_RUNS = Number(process.env.FUZZ_RUNS) || 9_000
const RAW_RUNS = Math.ceil(INJECT_RUNS / 7.5)
// The seed is what makes a failure reproducible: always say it.
process.stdout.write(
  `fuzz seed ${SEED} (FUZZ_SEED=${SEED} replays it): ${INJECT_RUNS} inject + ${RAW_RUNS} raw cases\n`,
)

let t: TestApp
let port = 0
let seeded: unknown[] = []

async function storedEvents(): Promise<unknown[]> {
  const all: unknown[] = []
  let after = 0
  for (;;) {
    const page = await t.store.readEventsAfter(after, 1000)
    all.push(...page.events)
    if (!page.more || page.events.length === 0) return all
    after = (page.events.at(-1) as { seq: number }).seq
  }
}

beforeAll(async () => {
  t = await createTestApp({
    // Off: the fuzz must reach validation, not the limiter (tested on its own).
    rateLimit: { perMinute: 0, burst: 0 },
    limits: { headersTimeoutMs: 300, requestTimeoutMs: 600, bodyTimeoutMs: 300, keepAliveTimeoutMs: 300 },
    heartbeatMs: 60_000,
  })
  const res = await t.app.inject({
    method: 'POST',
    url: '/api/events',
    headers: t.auth,
    payload: { events: makeEvents(50) },
  })
  expect(res.json().accepted).toHaveLength(50)
  seeded = await storedEvents()
  const url = await t.app.listen({ port: 0, host: '127.0.0.1' })
  port = Number(new URL(url).port)
})

afterAll(async () => {
  // Healthy after everything, and the events stored before are unchanged.
  const health = await fetch(`http://127.0.0.1:${port}/api/health`)
  expect(health.status).toBe(200)
  expect((await storedEvents()).slice(0, seeded.length)).toEqual(seeded)
  await t.close()
})

const PATHS = [
  '/api/health',
  '/api/events',
  '/api/events/stream',
  '/api',
  '/api/',
  '/api/events/',
  '/api/nope',
  '/',
  '/assets/x.js',
  '/incidents/1',
]
const METHODS = ['GET', 'POST', 'PUT', 'DELETE', 'PATCH', 'OPTIONS', 'HEAD'] as const

const deepJson = fc.integer({ min: 1, max: 5_000 }).map((n) => '['.repeat(n) + ']'.repeat(n))
const eventish = fc.record(
  {
    id: fc.oneof(fc.uuid(), fc.string(), fc.integer()),
    incidentId: fc.oneof(fc.uuid(), fc.string()),
    type: fc.constantFrom('log.entry', 'incident.declared', 'task.done', 'nope', ''),
    hlc: fc.oneof(fc.string(), fc.integer()),
    at: fc.oneof(
      fc.date({ noInvalidDate: true }).map((d) => d.toISOString()),
      fc.string(),
    ),
    actor: fc.anything(),
    payload: fc.anything(),
  },
  { requiredKeys: [] },
)
const body = fc.oneof(
  fc.constant(undefined),
  fc.json(),
  fc.string(),
  deepJson,
  fc.anything().map((x) => JSON.stringify(x) ?? 'null'),
  fc.array(eventish, { maxLength: 5 }).map((events) => JSON.stringify({ events })),
  fc.array(fc.anything(), { maxLength: 3 }).map((events) => JSON.stringify({ events })),
  fc.uint8Array({ maxLength: 200 }).map((b) => Buffer.from(b).toString('latin1')),
)
const query = fc.oneof(
  fc.constant(''),
  fc.constantFrom('?after=0', '?after=-1', '?after=1.5', '?after=1e3', '?limit=0', '?limit=1001', '?after=%zz'),
  fc.string({ maxLength: 30 }).map((s) => `?${encodeURIComponent(s)}=${encodeURIComponent(s)}`),
  fc.string({ maxLength: 30 }).map((s) => `?after=${encodeURIComponent(s)}&limit=${encodeURIComponent(s)}`),
)
const auth = fc.oneof(
  fc.constant('valid'),
  fc.constant(undefined),
  fc.string({ maxLength: 60 }).map((s) => `Bearer ${s}`),
  fc.string({ maxLength: 60 }),
)
const contentType = fc.oneof(
  fc.constant(undefined),
  fc.constantFrom(
    'application/json',
    'application/json; charset=utf-8',
    'text/plain',
    'application/x-www-form-urlencoded',
    'multipart/form-data; boundary=x',
    'application/json; charset=latin1',
  ),
  fc.string({ maxLength: 40 }),
)
const extraHeaders = fc.dictionary(
  fc.constantFrom('last-event-id', 'accept', 'accept-encoding', 'origin', 'x-forwarded-for', 'if-none-match', 'range'),
  fc.string({ maxLength: 40 }),
  { maxKeys: 3 },
)

function checkAnswer(status: number, text: string, label: string): void {
  expect(status, label).toBeLessThan(500)
  if (status >= 400 && text !== '') {
    const parsed = v.safeParse(ErrorBodySchema, JSON.parse(text))
    expect(parsed.success, `${label}: ${text.slice(0, 200)}`).toBe(true)
  }
}

describe('fuzz', () => {
  it(
    'every route through inject: no 5xx, the error shape, nothing stored by a refusal',
    { timeout: 110_000 },
    async () => {
      await fc.assert(
        fc.asyncProperty(
          fc.constantFrom(...METHODS),
          fc.oneof(
            fc.constantFrom(...PATHS),
            fc.string({ maxLength: 30 }).map((s) => `/${encodeURI(s)}`),
          ),
          query,
          auth,
          contentType,
          extraHeaders,
          body,
          async (method, path, q, authorization, type, extra, payload) => {
            const headers: Record<string, string> = { ...extra }
            if (authorization === 'valid') headers.authorization = t.auth.authorization
            else if (authorization !== undefined) headers.authorization = authorization
            if (type !== undefined) headers['content-type'] = type
            // A valid stream request would stream forever: inject is for its refusals; the raw part opens real ones.
            const stream = path === '/api/events/stream' && (method === 'GET' || method === 'HEAD')
            if (stream && !payload && authorization === 'valid') return
            const head = await lastSeq()
            const res = await t.app.inject({ method, url: `${path}${q}`, headers, payload })
            const label = `${method} ${path}${q} ${JSON.stringify(headers)} ${String(payload).slice(0, 80)}`
            checkAnswer(res.statusCode, method === 'HEAD' ? '' : res.body, label)
            // A refusal stored nothing: the log ends where it did.
            if (res.statusCode >= 400) expect(await lastSeq(), label).toBe(head)
          },
        ),
        { seed: SEED, numRuns: INJECT_RUNS, endOnFailure: true },
      )
    },
  )

  it(
    'raw bytes on a real socket: no 5xx, the error shape, an answer or a close for every case',
    { timeout: 110_000 },
    async () => {
      const line = fc.oneof(
        fc
          .tuple(
            fc.constantFrom(...METHODS, 'GARBAGE', 'get', ''),
            fc.constantFrom(...PATHS, '/%zz', '*', '', 'http://x/'),
            fc.constantFrom('HTTP/1.1', 'HTTP/1.0', 'HTTP/2', 'HTTP/1.1x', ''),
          )
          .map(([m, p, ver]) => `${m} ${p} ${ver}`),
        fc.string({ maxLength: 60 }),
      )
      const header = fc.oneof(
        fc.constantFrom(
          `Authorization: ${'Bearer '}VALID`,
          'Content-Type: application/json',
          'Content-Length: 5',
          'Content-Length: -1',
          'Content-Length: 99999999999',
          'Content-Length: 3, 4',
          'Transfer-Encoding: chunked',
          'Transfer-Encoding: gzip, chunked',
          'Connection: close',
          'Expect: 100-continue',
          'Host: x',
          'Last-Event-ID: 0',
        ),
        fc.tuple(fc.string({ maxLength: 20 }), fc.string({ maxLength: 40 })).map(([k, val]) => `${k}: ${val}`),
      )
      const rawBody = fc.oneof(
        fc.constant(''),
        fc.json(),
        deepJson,
        fc.constant('5\r\nhello\r\n0\r\n\r\n'),
        fc.constant('zz\r\n'),
        fc.uint8Array({ maxLength: 300 }).map((b) => Buffer.from(b).toString('latin1')),
      )
      const cases = fc.sample(fc.tuple(line, fc.array(header, { maxLength: 6 }), rawBody, fc.boolean()), {
        seed: SEED + 1,
        numRuns: RAW_RUNS,
      })
      const before = await countEvents()
      // 40 at a time: slow cases wait for the (short) timeouts in parallel.
      for (let i = 0; i < cases.length; i += 40) {
        await Promise.all(
          cases.slice(i, i + 40).map(async ([requestLine, headers, payload, crlf]) => {
            const head = headers.map((h) => h.replace('VALID', t.token)).join('\r\n')
            const request = `${requestLine}\r\n${head}${head ? '\r\n' : ''}${crlf ? '\r\n' : ''}${payload}`
            const res = await rawRequest(port, Buffer.from(request, 'latin1'), { untilAnswer: true })
            const label = JSON.stringify(request.slice(0, 200))
            if (res.status === undefined) return // closed without an answer: only for bytes that are not a request
            expect(res.status, label).toBeLessThan(500)
            if (res.status >= 400 && !/^HEAD /.test(requestLine))
              expect(v.safeParse(ErrorBodySchema, res.body).success, `${label} → ${res.text.slice(0, 300)}`).toBe(true)
          }),
        )
      }
      // Raw requests could at most push valid events; none of these bodies is one.
      expect(await countEvents()).toBe(before)
    },
  )
})

/** The log's last seq: a refused request must not move it. */
function lastSeq(): Promise<number> {
  return t.store.lastSeq()
}

async function countEvents(): Promise<number> {
  return (await storedEvents()).length
}
