import { afterEach, describe, expect, it } from 'vitest'
import { makeEvents } from '../../tests/fixtures/events'
import { TestApps } from '../test-support'
import type { LiveApp } from '../test-support'

const apps = new TestApps({ heartbeatMs: 60_000 })
afterEach(() => apps.closeAll())

const push = (t: LiveApp, events: unknown[]) =>
  t.app.inject({ method: 'POST', url: '/api/events', headers: t.auth, payload: { events } }).then((r) => r.json())

describe('GET /api/events/stream', () => {
  it('is an event stream with the security headers', async () => {
    const t = await apps.live()
    const { response } = await apps.stream(t)
    expect(response.status).toBe(200)
    expect(response.headers.get('content-type')).toMatch(/^text\/event-stream/)
    expect(response.headers.get('cache-control')).toMatch(/no-cache/)
    expect(response.headers.get('x-content-type-options')).toBe('nosniff')
    expect(response.headers.get('content-security-policy')).toMatch(/default-src 'self'/)
    expect(response.headers.get('access-control-allow-origin')).toBe('*')
  })

  it('replays stored events, then pushes new ones live, as id: seq / data: event', async () => {
    const t = await apps.live()
    const [a, b, c] = makeEvents(3)
    await push(t, [a])
    const { sse } = await apps.stream(t)
    const first = await sse.next()
    expect(first.id).toBe('1')
    expect(JSON.parse(first.data!)).toEqual({ ...a, seq: 1, receivedFrom: { tokenId: 1, name: 'Tester' } })
    await push(t, [b, c])
    expect((await sse.next()).id).toBe('2')
    const third = await sse.next()
    expect(third.id).toBe('3')
    expect(JSON.parse(third.data!).id).toBe(c!.id)
  })

  it('sends a duplicate push to nobody', async () => {
    const t = await apps.live()
    const [a, b] = makeEvents(2)
    const { sse } = await apps.stream(t)
    await push(t, [a])
    await push(t, [a])
    await push(t, [b])
    expect((await sse.next()).id).toBe('1')
    expect((await sse.next()).id).toBe('2')
  })

  it('resumes after ?after and after Last-Event-ID (which wins)', async () => {
    const t = await apps.live()
    await push(t, makeEvents(5))
    const byQuery = (await apps.stream(t, '?after=3')).sse
    expect((await byQuery.next()).id).toBe('4')
    const byHeader = (await apps.stream(t, '?after=1', { 'last-event-id': '4' })).sse
    expect((await byHeader.next()).id).toBe('5')
  })

  it('delivers every event exactly once across a backlog larger than a page and concurrent pushes', async () => {
    const t = await apps.live()
    await push(t, makeEvents(500))
    await push(t, makeEvents(300))
    const { sse } = await apps.stream(t)
    const pushing = Promise.all([push(t, makeEvents(200)), push(t, makeEvents(200))])
    const seen: number[] = []
    for (let i = 0; i < 1200; i++) seen.push(Number((await sse.next()).id))
    await pushing
    expect(seen).toEqual(Array.from({ length: 1200 }, (_, i) => i + 1))
  })

  it('tells open streams when a runbook version is published, as a named non-JSON notice that moves no cursor', async () => {
    const t = await apps.live()
    const [a] = makeEvents(1)
    const { sse } = await apps.stream(t)
    const post = (url: string, payload: object) =>
      t.app
        .inject({ method: 'POST', url, headers: t.auth, payload })
        .then((r) => r.json() as Promise<{ version: number }>)
    const created = await post('/api/runbooks', {
      id: 'network/switch-down',
      source: '# Switch down\n\n- [ ] Ping it\n',
    })
    await post(`/api/runbooks/network%2Fswitch-down/versions/${created.version}/publish`, {})
    const notice = await sse.next()
    expect(notice).toEqual({ event: 'runbooks', data: `published network%2Fswitch-down ${created.version}` })
    // Old clients JSON.parse every message's data and skip what fails: this one must fail.
    expect(() => JSON.parse(notice.data!)).toThrow()
    await push(t, [a])
    expect((await sse.next()).id).toBe('1')
  })

  it('sends heartbeat comments', async () => {
    const t = await apps.live({ heartbeatMs: 50 })
    const { sse } = await apps.stream(t)
    const msg = await sse.next(undefined, true) // ": connected"
    expect(msg.comment).toBe('connected')
    expect((await sse.next(undefined, true)).comment).toBe('heartbeat')
  })

  it('answers 400 to a bad cursor and 401 without a token', async () => {
    const t = await apps.live()
    expect((await fetch(`${t.url}/api/events/stream?after=x`, { headers: t.auth })).status).toBe(400)
    expect(
      (await fetch(`${t.url}/api/events/stream`, { headers: { ...t.auth, 'last-event-id': 'nope' } })).status,
    ).toBe(400)
    const res = await fetch(`${t.url}/api/events/stream`)
    expect(res.status).toBe(401)
    expect(await res.json()).toEqual({ error: { code: 'unauthorized', message: expect.any(String) } })
  })

  it('counts the open streams in /api/health, for operators and the many-windows test', async () => {
    const t = await apps.live()
    const streams = async () => ((await (await fetch(`${t.url}/api/health`)).json()) as { streams: number }).streams
    expect(await streams()).toBe(0)
    const a = (await apps.stream(t)).sse
    const b = (await apps.stream(t)).sse
    expect((await a.next(undefined, true)).comment).toBe('connected')
    expect((await b.next(undefined, true)).comment).toBe('connected')
    expect(await streams()).toBe(2)
    await a.cancel()
    await expect.poll(streams).toBe(1)
  })

  it('closes the streams of a token revoked in this process at once', async () => {
    const t = await apps.live()
    const { token } = await t.tokens.issue('Dana')
    const dana = (await apps.stream(t, '', { authorization: `Bearer ${token}` })).sse
    const mine = (await apps.stream(t)).sse
    // Both sessions are registered once their ": connected" arrived.
    expect((await dana.next(undefined, true)).comment).toBe('connected')
    expect((await mine.next(undefined, true)).comment).toBe('connected')
    await t.tokens.revoke('Dana')
    await dana.waitForEnd()
    expect(mine.ended).toBe(false)
    await push(t, makeEvents(1))
    expect((await mine.next()).id).toBe('1')
  })

  it('closes the streams of a token revoked by another process (the CLI) at the next check', async () => {
    const t = await apps.live({ tokenRecheckMs: 50 })
    const { token } = await t.tokens.issue('Lee')
    const lee = (await apps.stream(t, '', { authorization: `Bearer ${token}` })).sse
    // Straight to the store, as the CLI does: no in-process event.
    await t.store.revokeTokens('Lee', new Date().toISOString())
    await lee.waitForEnd()
  })

  it('ends open streams when the server closes', async () => {
    const t = await apps.live()
    const { sse } = await apps.stream(t)
    await apps.close(t)
    await sse.waitForEnd()
  })
})
