import { afterEach, describe, expect, it } from 'vitest'
import { makeIncident } from '../../tests/fixtures/events'
import { SseReader, TestApps, tempDir, type TestApp } from '../test-support'
import { openDatabase, openSqliteStore, renewServerId } from '../store/sqlite'

const apps = new TestApps()
const dirs: { remove(): void }[] = []
afterEach(async () => {
  await apps.closeAll()
  for (const d of dirs.splice(0)) d.remove()
})

function app(dataDir?: string): Promise<TestApp> {
  return apps.app(dataDir ? { dataDir } : {})
}

describe('the database identity (serverId)', () => {
  it('is 128 random bits, kept across restarts, new for a new database and on renewal', async () => {
    const dir = tempDir()
    dirs.push(dir)
    const first = openSqliteStore(dir.path)
    const id = await first.serverId()
    await first.close()
    expect(id).toMatch(/^[A-Za-z0-9_-]{22}$/)

    const again = openSqliteStore(dir.path)
    expect(await again.serverId()).toBe(id)
    await again.close()

    const other = openSqliteStore(':memory:')
    expect(await other.serverId()).not.toBe(id)
    await other.close()

    const db = openDatabase(dir.path)
    const renewed = renewServerId(db)
    db.close()
    expect(renewed).not.toBe(id)
    const reopened = openSqliteStore(dir.path)
    expect(await reopened.serverId()).toBe(renewed)
    await reopened.close()
  })

  it('is sent on every pull page', async () => {
    const t = await app()
    const res = await t.app.inject({ method: 'GET', url: '/api/events', headers: t.auth })
    expect(res.json()).toEqual({ events: [], last: 0, more: false, serverId: await t.store.serverId() })
  })
})

describe('cursor_unknown: a cursor from another history', () => {
  async function seeded(n: number) {
    const t = await app()
    const events = makeIncident(n)
    await t.app.inject({ method: 'POST', url: '/api/events', headers: t.auth, payload: { events } })
    return { t, events }
  }
  const pull = (t: TestApp, query: string) =>
    t.app.inject({ method: 'GET', url: `/api/events?${query}`, headers: t.auth })

  it('pulls on when the server holds the phone’s event at its cursor', async () => {
    const { t, events } = await seeded(3)
    const res = await pull(t, `after=2&afterId=${events[1]!.id}`)
    expect(res.statusCode).toBe(200)
    expect(res.json().events.map((e: { id: string }) => e.id)).toEqual([events[2]!.id])
  })

  it('answers 409 cursor_unknown when another event is at that seq', async () => {
    const { t, events } = await seeded(3)
    const res = await pull(t, `after=2&afterId=${events[0]!.id}`)
    expect(res.statusCode).toBe(409)
    expect(res.json().error).toEqual({
      code: 'cursor_unknown',
      message: expect.stringContaining('another event at seq 2'),
    })
  })

  it('answers 409 cursor_unknown when nothing is at that seq (the phone is past this history)', async () => {
    const { t } = await seeded(3)
    const res = await pull(t, 'after=80&afterId=some-event-id')
    expect(res.statusCode).toBe(409)
    expect(res.json().error.code).toBe('cursor_unknown')
  })

  it('checks nothing at 0 or without afterId (older phones)', async () => {
    const { t } = await seeded(3)
    expect((await pull(t, 'after=0&afterId=whatever')).statusCode).toBe(200)
    expect((await pull(t, 'after=80')).statusCode).toBe(200)
  })

  it('refuses an empty afterId by name', async () => {
    const { t } = await seeded(1)
    const res = await pull(t, 'after=1&afterId=')
    expect(res.statusCode).toBe(400)
    expect(res.json().error.message).toMatch(/afterId/)
  })

  it('answers the stream 409 before opening it, and streams when the cursor holds', async () => {
    const { t, events } = await seeded(3)
    const url = await t.app.listen({ port: 0, host: '127.0.0.1' })
    const refused = await fetch(`${url}/api/events/stream?after=2&afterId=nope`, { headers: t.auth })
    expect(refused.status).toBe(409)
    expect(((await refused.json()) as { error: { code: string } }).error.code).toBe('cursor_unknown')

    const { response, sse } = await SseReader.open(`${url}/api/events/stream?after=2&afterId=${events[1]!.id}`, t.auth)
    expect(response.status).toBe(200)
    expect((await sse.next()).id).toBe('3')
    await sse.cancel()
  })
})
