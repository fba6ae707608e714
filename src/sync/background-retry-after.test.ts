/**
 * Retry-After in the service worker's Background Sync push. A 429 (rate
 * limit, daily quota), a 503 or a 507 with Retry-After is not retried by the
 * browser's own backoff: the worker resolves, keeps the time in IndexedDB
 * (setting `pushHold`), sends nothing before it, and the page's engine pushes
 * once it has passed. A hold the page's engine was given is kept there too, so
 * the worker does not push sooner either.
 */
import { afterEach, describe, expect, it } from 'vitest'
import { makeEvents } from '../../tests/fixtures/events'
import { FakeSyncServer, TEST_TOKEN, type Fault } from '../../tests/fixtures/sync-server'
import { ManualTimers } from '../../tests/fixtures/timers'
import { CommandPostDatabase } from '../db/database'
import { appendLocalEvents, pendingCount } from '../db/events'
import { readSetting, writeSetting } from '../db/settings'
import { createSyncApi, SyncError } from './api'
import { createSyncEngine, type SyncEngine } from './engine'
import { createRetryPolicy } from './retry'
import { pushWithSavedSettings } from './push'

let n = 0
const engines: SyncEngine[] = []
afterEach(() => {
  for (const e of engines.splice(0)) e.stop()
})

const isPush = (r: { method: string }) => r.method === 'POST'

async function phone() {
  const db = new CommandPostDatabase(`background-retry-after-${Date.now()}-${n++}`)
  const server = new FakeSyncServer()
  const timers = new ManualTimers()
  await writeSetting(db, 'sync', { serverUrl: '', token: TEST_TOKEN })
  await appendLocalEvents(db, makeEvents(3))
  const engine = createSyncEngine({ db, fetch: server.fetch, timers, random: () => 0, stream: false })
  engines.push(engine)
  return { db, server, timers, engine }
}

describe('a 503 with Retry-After', () => {
  it('carries the wait, and the retry policy never tries sooner', async () => {
    const api = createSyncApi(
      { serverUrl: '', token: 't' },
      async () =>
        new Response(JSON.stringify({ error: { code: 'unavailable', message: 'm' } }), {
          status: 503,
          headers: { 'retry-after': '45' },
        }),
    )
    const failure = ((await api.push(makeEvents(1)).catch((e: unknown) => e)) as SyncError).failure
    expect(failure).toEqual({ kind: 'server', status: 503, message: 'm', code: 'unavailable', retryAfterMs: 45_000 })
    expect(createRetryPolicy({ random: () => 0 }).failed(failure)).toEqual({ kind: 'retry', delayMs: 45_000 })
  })
})

describe('Background Sync push (the service worker) and Retry-After', () => {
  const faults: [string, Fault, string][] = [
    ['429 rate_limited', { kind: 'status', status: 429, retryAfter: '120', code: 'rate_limited' }, 'rate-limited'],
    ['429 quota_exceeded', { kind: 'status', status: 429, retryAfter: '120', code: 'quota_exceeded' }, 'quota'],
    ['503', { kind: 'status', status: 503, retryAfter: '120', code: 'unavailable' }, 'server'],
    ['507 storage_full', { kind: 'status', status: 507, retryAfter: '120', code: 'storage_full' }, 'server-storage'],
  ]
  for (const [name, fault, kind] of faults)
    it(`on ${name} resolves (no browser retry), sends nothing before Retry-After, then pushes`, async () => {
      const { db, server, timers } = await phone()
      server.fail(fault, isPush)
      expect(await pushWithSavedSettings(db, server.fetch, timers.now)).toBe('deferred')
      expect(server.pushes()).toHaveLength(1)
      expect(await readSetting(db, 'pushHold')).toEqual({ until: timers.now() + 120_000, kind })

      // The browser may wake the worker again (another sync registration): nothing is sent.
      const asked = server.requests.length
      timers.clock += 119_000
      expect(await pushWithSavedSettings(db, server.fetch, timers.now)).toBe('deferred')
      expect(server.requests).toHaveLength(asked)
      expect(await pendingCount(db)).toBe(3)

      timers.clock += 1_000
      expect(await pushWithSavedSettings(db, server.fetch, timers.now)).toBe('pushed')
      expect(await pendingCount(db)).toBe(0)
      expect(await readSetting(db, 'pushHold')).toBeNull()
    })

  it('still rejects (the browser retries) on a failure without Retry-After', async () => {
    const { db, server, timers } = await phone()
    server.fail({ kind: 'status', status: 503, code: 'unavailable' }, isPush)
    await expect(pushWithSavedSettings(db, server.fetch, timers.now)).rejects.toMatchObject({
      failure: { kind: 'server', status: 503 },
    })
    expect(await readSetting(db, 'pushHold')).toBeNull()
  })
})

describe('the page’s engine and the worker share the wait', () => {
  it('the engine waits out a Retry-After the worker was given, then pushes', async () => {
    const { db, server, timers, engine } = await phone()
    server.fail({ kind: 'status', status: 429, retryAfter: '120', code: 'rate_limited' }, isPush)
    expect(await pushWithSavedSettings(db, server.fetch, timers.now)).toBe('deferred')
    timers.clock += 20_000

    await engine.start()
    await engine.idle()
    expect(server.pushes()).toHaveLength(1)
    expect(engine.snapshot().status).toEqual({
      kind: 'error',
      problem: 'rate-limited',
      retryAt: timers.now() + 100_000,
    })
    expect(timers.pending()).toEqual([100_000])

    timers.fire(100_000)
    await engine.idle()
    expect(server.pushes()).toHaveLength(2)
    expect(await pendingCount(db)).toBe(0)
    expect(engine.snapshot().status.kind).toBe('synced')
    expect(await readSetting(db, 'pushHold')).toBeNull()
  })

  it('on a quota the worker was told of, the engine still receives but does not push before Retry-After', async () => {
    const { db, server, timers, engine } = await phone()
    server.seed(makeEvents(2))
    server.fail({ kind: 'status', status: 429, retryAfter: '3600', code: 'quota_exceeded' }, isPush)
    expect(await pushWithSavedSettings(db, server.fetch, timers.now)).toBe('deferred')

    await engine.start()
    await engine.idle()
    expect(server.pushes()).toHaveLength(1)
    expect(server.pulls().length).toBeGreaterThan(0)
    expect(await db.events.count()).toBe(5)
    expect(engine.snapshot().status).toMatchObject({ kind: 'error', problem: 'quota' })
    expect(timers.pending()).toEqual([3_600_000])
  })

  it('"Sync now" pushes at once whatever the worker was told', async () => {
    const { db, server, timers, engine } = await phone()
    server.fail({ kind: 'status', status: 429, retryAfter: '3600', code: 'quota_exceeded' }, isPush)
    expect(await pushWithSavedSettings(db, server.fetch, timers.now)).toBe('deferred')
    await engine.start()
    await engine.idle()
    expect((await engine.syncNow()).kind).toBe('synced')
    expect(await pendingCount(db)).toBe(0)
    expect(await readSetting(db, 'pushHold')).toBeNull()
  })

  it('the worker does not push before a Retry-After the engine was given', async () => {
    const { db, server, timers, engine } = await phone()
    server.fail({ kind: 'status', status: 429, retryAfter: '60', code: 'rate_limited' }, isPush)
    await engine.start()
    await engine.idle()
    expect(server.pushes()).toHaveLength(1)

    const asked = server.requests.length
    timers.clock += 30_000
    expect(await pushWithSavedSettings(db, server.fetch, timers.now)).toBe('deferred')
    expect(server.requests).toHaveLength(asked)
  })

  it('new server settings forget the wait', async () => {
    const { db, server, timers, engine } = await phone()
    server.fail({ kind: 'status', status: 429, retryAfter: '3600', code: 'quota_exceeded' }, isPush)
    expect(await pushWithSavedSettings(db, server.fetch, timers.now)).toBe('deferred')
    await engine.configure({ serverUrl: '', token: `${TEST_TOKEN}` })
    expect(await readSetting(db, 'pushHold')).toBeNull()
  })
})
