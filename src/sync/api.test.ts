import { describe, expect, it } from 'vitest'
import { makeEvent } from '../../tests/fixtures/events'
import { apiUrl, createSyncApi, retryAfterMs, SyncError } from './api'
import { backoffDelay } from './backoff'

describe('sync api', () => {
  it('builds endpoint addresses for the same origin and for another server', () => {
    expect(apiUrl('', 'events')).toBe('/api/events')
    expect(apiUrl('https://sync.example/cp/', 'events/stream?after=3')).toBe(
      'https://sync.example/cp/api/events/stream?after=3',
    )
  })

  it('reads Retry-After as seconds or as a date', () => {
    const now = Date.parse('2026-11-01T09:00:00Z')
    expect(retryAfterMs('7', now)).toBe(7000)
    expect(retryAfterMs('Sun, 01 Nov 2026 09:00:30 GMT', now)).toBe(30_000)
    expect(retryAfterMs(null, now)).toBe(0)
    expect(retryAfterMs('soon', now)).toBe(0)
  })

  it('turns statuses and thrown fetches into typed failures', async () => {
    const answer =
      (status: number, headers: Record<string, string> = {}) =>
      async () =>
        new Response('{"error":{"code":"x","message":"boom"}}', { status, headers })
    const failureOf = async (fetchFn: () => Promise<Response>) => {
      try {
        await createSyncApi({ serverUrl: '', token: 't' }, fetchFn).pull(0, 10)
        return null
      } catch (e) {
        return (e as SyncError).failure
      }
    }
    expect(await failureOf(answer(401))).toEqual({ kind: 'auth' })
    expect(await failureOf(answer(413))).toEqual({ kind: 'too-large' })
    expect(await failureOf(answer(429, { 'retry-after': '5' }))).toEqual({ kind: 'rate-limited', retryAfterMs: 5000 })
    expect(await failureOf(answer(503))).toEqual({ kind: 'server', status: 503, message: 'boom', code: 'x' })
    expect(
      await failureOf(async () => {
        throw new TypeError('Failed to fetch')
      }),
    ).toEqual({ kind: 'network' })
  })

  it('sends the token as a bearer header and never in the address', async () => {
    const seen: { url: string; auth: string | null }[] = []
    const api = createSyncApi({ serverUrl: 'https://sync.example', token: 'secret-token' }, async (url, init) => {
      seen.push({ url, auth: new Headers(init?.headers).get('authorization') })
      return new Response('{"events":[],"last":4,"more":false}', { status: 200 })
    })
    expect(await api.pull(4, 1000)).toEqual({ events: [], last: 4, more: false })
    expect(seen).toEqual([{ url: 'https://sync.example/api/events?after=4&limit=1000', auth: 'Bearer secret-token' }])
  })
})

describe('answers that break the wire protocol', () => {
  const api = (body: BodyInit | null) =>
    createSyncApi({ serverUrl: '', token: 't' }, async () => new Response(body, { status: 200 }))
  const failureOf = (call: Promise<unknown>) =>
    call.then(
      () => null,
      (e: unknown) => {
        expect(e).toBeInstanceOf(SyncError)
        return (e as SyncError).failure
      },
    )
  const badAnswer = (detail: string | RegExp = /./) => ({
    kind: 'bad-answer',
    detail: typeof detail === 'string' ? detail : expect.stringMatching(detail),
  })
  const event = makeEvent('log.entry')

  it.each([
    ['HTML instead of JSON (a sign-in page)', '<!doctype html><title>Sign in</title>', 'not JSON'],
    ['an empty body', '', 'not JSON'],
    ['null', 'null', /./],
    ['a missing list', '{"accepted":[],"rejected":[]}', /^duplicate: /],
    ['ids of the wrong type', '{"accepted":"a,b","duplicate":[],"rejected":[]}', /^accepted: /],
    [
      'a rejection without a reason',
      '{"accepted":[],"duplicate":[],"rejected":[{"id":"x"}]}',
      /^rejected\.0\.reason: /,
    ],
  ])('a push answer with %s is a bad-answer failure', async (_name, body, detail) => {
    expect(await failureOf(api(body).push([event]))).toEqual(badAnswer(detail))
  })

  it.each([
    ['HTML instead of JSON', '<html><body>Welcome to the hotel Wi-Fi</body></html>', 'not JSON'],
    ['events that are not a list', '{"events":{},"last":0,"more":false}', /^events: /],
    ['no last', '{"events":[],"more":false}', /^last: /],
    ['last as a string', '{"events":[],"last":"4","more":false}', /^last: /],
    ['a fractional last', '{"events":[],"last":1.5,"more":false}', /^last: /],
    ['more as a string', '{"events":[],"last":0,"more":"false"}', /^more: /],
  ])('a pull page with %s is a bad-answer failure', async (_name, body, detail) => {
    expect(await failureOf(api(body).pull(0, 10))).toEqual(badAnswer(detail))
  })

  it('passes a page with an unreadable event on: events are judged one by one when stored', async () => {
    const page = { events: [{ nonsense: true }, { ...event, seq: 2 }], last: 2, more: false }
    expect(await api(JSON.stringify(page)).pull(0, 10)).toEqual(page)
  })

  it('reads a body cut off mid-way as the network failing, not as a bad answer', async () => {
    const broken = new ReadableStream({
      start(controller) {
        controller.error(new TypeError('connection reset'))
      },
    })
    expect(await failureOf(api(broken).pull(0, 10))).toEqual({ kind: 'network' })
  })

  it('takes the message of an error answer even with a code this app does not know', async () => {
    const fetchFn = async () => new Response('{"error":{"code":"from_the_future","message":"later"}}', { status: 400 })
    const failure = await failureOf(createSyncApi({ serverUrl: '', token: 't' }, fetchFn).pull(0, 10))
    expect(failure).toEqual({ kind: 'server', status: 400, message: 'later', code: 'from_the_future' })
  })
})

describe('backoff', () => {
  it('doubles from 1 s to a 60 s cap, half fixed and half jitter', () => {
    const low = Array.from({ length: 9 }, (_, i) => backoffDelay(i, { random: () => 0 }))
    const high = Array.from({ length: 9 }, (_, i) => backoffDelay(i, { random: () => 0.999999 }))
    expect(low).toEqual([500, 1000, 2000, 4000, 8000, 16_000, 30_000, 30_000, 30_000])
    expect(high).toEqual([1000, 2000, 4000, 8000, 16_000, 32_000, 60_000, 60_000, 60_000])
    expect(backoffDelay(1000, { random: () => 0.5 })).toBe(45_000)
  })
})
