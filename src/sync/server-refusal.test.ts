/**
 * The server refusing pushes for a while, for a known reason: its daily
 * quota is used up (429 quota_exceeded) or its storage is full or read-only
 * (507 storage_full). The phone says so, keeps everything pending, does not
 * push again before Retry-After (local writes included), and keeps receiving.
 */
import { afterEach, describe, expect, it } from 'vitest'
import { makeEvents } from '../../tests/fixtures/events'
import { FakeSyncServer, TEST_TOKEN } from '../../tests/fixtures/sync-server'
import { ManualTimers } from '../../tests/fixtures/timers'
import { CommandPostDatabase } from '../db/database'
import { appendLocalEvents, pendingCount } from '../db/events'
import { writeSetting } from '../db/settings'
import { createSyncApi, SyncError } from './api'
import { createSyncEngine, type SyncEngine } from './engine'
import { createRetryPolicy } from './retry'
import { describeSyncStatus } from './status'
import { SYNC_PROBLEM_MESSAGES } from './status-messages'

let n = 0
const engines: SyncEngine[] = []
afterEach(() => {
  for (const e of engines.splice(0)) e.stop()
})

async function phone() {
  const db = new CommandPostDatabase(`server-refusal-${Date.now()}-${n++}`)
  const server = new FakeSyncServer()
  const timers = new ManualTimers()
  await writeSetting(db, 'sync', { serverUrl: '', token: TEST_TOKEN })
  const engine = createSyncEngine({ db, fetch: server.fetch, timers, random: () => 0, stream: false })
  engines.push(engine)
  return { db, server, timers, engine }
}

const isPush = (r: { method: string }) => r.method === 'POST'

describe('sync api: refusals of the server’s storage', () => {
  const failureOf = async (status: number, code: string, retryAfter?: string) => {
    const headers: Record<string, string> = retryAfter ? { 'retry-after': retryAfter } : {}
    const api = createSyncApi(
      { serverUrl: '', token: 't' },
      async () => new Response(JSON.stringify({ error: { code, message: 'm' } }), { status, headers }),
    )
    return ((await api.push(makeEvents(1)).catch((e: unknown) => e)) as SyncError).failure
  }

  it('reads 429 quota_exceeded as a quota, other 429s as the rate limit, and 507 as the server’s storage', async () => {
    expect(await failureOf(429, 'quota_exceeded', '3600')).toEqual({ kind: 'quota', retryAfterMs: 3_600_000 })
    expect(await failureOf(429, 'rate_limited', '5')).toEqual({ kind: 'rate-limited', retryAfterMs: 5000 })
    expect(await failureOf(507, 'storage_full', '30')).toEqual({ kind: 'server-storage', retryAfterMs: 30_000 })
    // A proxy may replace the body; the status alone still says it.
    expect(await failureOf(507, 'whatever')).toEqual({ kind: 'server-storage', retryAfterMs: 0 })
  })

  it('never retries sooner than Retry-After, and backs off past it', () => {
    const policy = createRetryPolicy({ random: () => 0 })
    expect(policy.failed({ kind: 'quota', retryAfterMs: 3_600_000 })).toEqual({ kind: 'retry', delayMs: 3_600_000 })
    expect(policy.failed({ kind: 'server-storage', retryAfterMs: 0 })).toEqual({ kind: 'retry', delayMs: 1000 })
    expect(policy.failed({ kind: 'server-storage', retryAfterMs: 1500 })).toEqual({ kind: 'retry', delayMs: 2000 })
  })
})

describe('sync engine: the server refuses pushes for a while', () => {
  it('on a used-up quota says so, keeps events pending, pushes only after Retry-After, and still receives', async () => {
    const { db, server, timers, engine } = await phone()
    server.seed(makeEvents(2))
    await appendLocalEvents(db, makeEvents(3))
    server.fail({ kind: 'status', status: 429, retryAfter: '3600', code: 'quota_exceeded' }, isPush)
    await engine.start()
    await engine.idle()

    const status = engine.snapshot().status
    expect(status).toEqual({ kind: 'error', problem: 'quota', retryAt: timers.now() + 3_600_000 })
    expect(describeSyncStatus(status, 3, 0)).toBe('Syncing · server quota reached · 3 pending')
    expect(SYNC_PROBLEM_MESSAGES.quota).toMatch(/quota is used up/)
    expect(await pendingCount(db)).toBe(3)
    // Receiving goes on: the round pulled after the refused push.
    expect(await db.events.count()).toBe(5)
    expect(timers.pending()).toEqual([3_600_000])

    // A local write during the wait pulls, but does not push.
    await appendLocalEvents(db, makeEvents(1))
    engine.nudge()
    timers.fire(300)
    await engine.idle()
    expect(server.pushes()).toHaveLength(1)
    expect(engine.snapshot().status).toMatchObject({ kind: 'error', problem: 'quota' })
    expect(timers.pending()).toEqual([3_600_000 - 300])

    // When the quota renews, everything goes.
    timers.fire(3_600_000 - 300)
    await engine.idle()
    expect(server.pushes()).toHaveLength(2)
    expect(await pendingCount(db)).toBe(0)
    expect(engine.snapshot().status.kind).toBe('synced')
  })

  it('on full server storage says "The server’s storage is full" and waits Retry-After, not blind backoff', async () => {
    const { db, server, timers, engine } = await phone()
    await appendLocalEvents(db, makeEvents(2))
    server.fail({ kind: 'status', status: 507, retryAfter: '30', code: 'storage_full' }, isPush)
    server.fail({ kind: 'status', status: 507, retryAfter: '30', code: 'storage_full' }, isPush)
    await engine.start()
    await engine.idle()

    const status = engine.snapshot().status
    expect(status).toMatchObject({ kind: 'error', problem: 'server-storage' })
    expect(describeSyncStatus(status, 2, 0)).toBe('Offline · server storage full · 2 pending')
    expect(SYNC_PROBLEM_MESSAGES['server-storage']).toMatch(/^The server's storage is full/)
    expect(timers.pending()).toEqual([30_000])

    timers.fire(30_000)
    await engine.idle()
    expect(server.pushes()).toHaveLength(2)
    expect(await pendingCount(db)).toBe(2)
    expect(timers.pending()).toEqual([30_000])

    timers.fire(30_000)
    await engine.idle()
    expect(await pendingCount(db)).toBe(0)
    expect(engine.snapshot().status.kind).toBe('synced')
  })

  it('lets "Sync now" try at once during the wait', async () => {
    const { db, server, engine } = await phone()
    await appendLocalEvents(db, makeEvents(1))
    server.fail({ kind: 'status', status: 429, retryAfter: '3600', code: 'quota_exceeded' }, isPush)
    await engine.start()
    await engine.idle()
    expect((await engine.syncNow()).kind).toBe('synced')
    expect(server.pushes()).toHaveLength(2)
    expect(await pendingCount(db)).toBe(0)
  })
})
