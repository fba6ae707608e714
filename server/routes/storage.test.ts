/**
 * The server's storage as a known condition (issue #14 items 3 and 4): daily
 * quotas per token and per server (429 quota_exceeded), and a disk that is
 * full or read-only (507 storage_full, health 503). Faults are injected
 * through SQLite, since CI runs as root and file permissions stop nothing:
 * `max_page_count` for a full disk, `query_only` for a read-only database.
 */
import { afterEach, describe, expect, it } from 'vitest'
import type Database from 'better-sqlite3'
import { makeEvent, makeEvents } from '../../tests/fixtures/events'
import type { IncidentEvent } from '../../src/domain/events'
import { NO_QUOTA, type DailyQuota } from '../store/faults'
import { StorageHealth } from '../store/health'
import { openDatabase, sqliteStore } from '../store/sqlite'
import { createTestApp, type TestApp } from '../test-support'
import { STORAGE_RETRY_AFTER_S } from './events'

let t: TestApp
afterEach(async () => {
  await t.close()
})

/** 2027-03-10 23:00:00 UTC: the quota’s day ends in one hour (after the fixture events’ stamps, so none is clock_ahead). */
const ELEVEN_PM = Date.UTC(2027, 2, 10, 23, 0, 0)

async function app(quota: Partial<DailyQuota>, clock = { now: ELEVEN_PM }) {
  const db = openDatabase(':memory:')
  const store = sqliteStore(db)
  const storageHealth = new StorageHealth(store, { intervalMs: 0 })
  t = await createTestApp({ store, storageHealth, quota: { ...NO_QUOTA, ...quota }, now: () => clock.now })
  return { db, storageHealth, clock }
}

const push = (events: readonly IncidentEvent[], auth = t.auth) =>
  t.app.inject({ method: 'POST', url: '/api/events', headers: auth, payload: { events } })
const storedIds = async () =>
  (
    (await t.app.inject({ method: 'GET', url: '/api/events?limit=1000', headers: t.auth })).json().events as {
      id: string
    }[]
  ).map((e) => e.id)
const health = () => t.app.inject({ method: 'GET', url: '/api/health' })

describe('daily quotas', () => {
  it('refuses a push that would go over a token’s events, whole, with 429 quota_exceeded until midnight UTC', async () => {
    await app({ tokenEvents: 5 })
    const first = makeEvents(3)
    expect((await push(first)).json().accepted).toHaveLength(3)

    const over = await push(makeEvents(3))
    expect(over.statusCode).toBe(429)
    expect(over.json().error.code).toBe('quota_exceeded')
    expect(over.json().error.message).toMatch(/access token's daily quota of 5 events/)
    expect(over.headers['retry-after']).toBe('3600')
    // Nothing of the refused batch was stored; what was stored before is untouched.
    expect(await storedIds()).toEqual(first.map((e) => e.id))

    // Duplicates do not count: re-sending what is stored is still acknowledged.
    const again = await push(first)
    expect(again.statusCode).toBe(200)
    expect(again.json().duplicate).toHaveLength(3)
    // Up to the limit is fine.
    expect((await push(makeEvents(2))).json().accepted).toHaveLength(2)
    expect((await push(makeEvents(1))).statusCode).toBe(429)
  })

  it('counts bytes of the stored events per token, and another token keeps its own quota', async () => {
    await app({ tokenBytes: 4000 })
    const big = () => makeEvent('log.entry', { text: 'x'.repeat(1500) })
    expect((await push([big(), big()])).statusCode).toBe(200)
    const over = await push([big()])
    expect(over.statusCode).toBe(429)
    expect(over.json().error.message).toMatch(/4000 bytes/)

    const other = await t.tokens.issue('Other')
    const theirs = await push([big()], { authorization: `Bearer ${other.token}` })
    expect(theirs.statusCode).toBe(200)
  })

  it('holds the whole server to its daily quota across tokens', async () => {
    await app({ serverEvents: 4 })
    const other = await t.tokens.issue('Other')
    expect((await push(makeEvents(3))).statusCode).toBe(200)
    const over = await push(makeEvents(2), { authorization: `Bearer ${other.token}` })
    expect(over.statusCode).toBe(429)
    expect(over.json().error.message).toMatch(/server's daily quota of 4 events/)
  })

  it('renews at midnight UTC', async () => {
    const { clock } = await app({ tokenEvents: 2 })
    expect((await push(makeEvents(2))).statusCode).toBe(200)
    expect((await push(makeEvents(1))).statusCode).toBe(429)
    clock.now = Date.UTC(2027, 2, 11, 0, 0, 1)
    expect((await push(makeEvents(2))).statusCode).toBe(200)
  })
})

/** Make the database unable to grow: SQLite answers SQLITE_FULL, as on a full disk. */
function fillDisk(db: Database.Database): () => void {
  const before = db.pragma('max_page_count', { simple: true }) as number
  db.pragma(`max_page_count = ${db.pragma('page_count', { simple: true }) as number}`)
  return () => db.pragma(`max_page_count = ${before}`)
}

describe('a full disk', () => {
  it('answers pushes 507 storage_full with Retry-After, stores none of them, and health says 503 until a probe succeeds', async () => {
    const { db, storageHealth } = await app({})
    const kept = makeEvents(3)
    await push(kept)
    expect((await health()).statusCode).toBe(200)
    const unfill = fillDisk(db)

    const refused = await push(makeEvents(400))
    expect(refused.statusCode).toBe(507)
    expect(refused.json()).toEqual({ error: { code: 'storage_full', message: expect.stringMatching(/full/) } })
    expect(refused.headers['retry-after']).toBe(String(STORAGE_RETRY_AFTER_S))
    // Reads still work; nothing of the refused push was stored or acknowledged.
    expect(await storedIds()).toEqual(kept.map((e) => e.id))

    // The failed write marks the storage down at once, not at the next probe.
    const down = await health()
    expect(down.statusCode).toBe(503)
    expect(down.json()).toEqual({ ok: false, reason: 'disk_full', version: '0.0.0-test', now: ELEVEN_PM })
    // The probe sees no room either.
    expect(await storageHealth.probe()).toEqual({ ok: false, reason: 'disk_full' })

    unfill()
    expect(await storageHealth.probe()).toEqual({ ok: true })
    expect((await health()).json()).toMatchObject({ ok: true, version: '0.0.0-test' })
    expect((await push(makeEvents(400))).json().accepted).toHaveLength(400)
  })

  it('is found by the probe before any push fails', async () => {
    const { db, storageHealth } = await app({})
    fillDisk(db)
    await storageHealth.probe()
    expect((await health()).json()).toMatchObject({ ok: false, reason: 'disk_full' })
  })
})

describe('a read-only database', () => {
  it('answers pushes 507 storage_full, health 503 read_only, keeps serving reads, and recovers', async () => {
    const { db, storageHealth } = await app({})
    const kept = makeEvents(2)
    await push(kept)
    db.pragma('query_only = 1')

    const refused = await push(makeEvents(1))
    expect(refused.statusCode).toBe(507)
    expect(refused.json().error.code).toBe('storage_full')
    expect((await health()).json()).toMatchObject({ ok: false, reason: 'read_only' })
    expect(await storageHealth.probe()).toEqual({ ok: false, reason: 'read_only' })
    // A token can still read (its "last used" time cannot be written, and that does not matter).
    expect(await storedIds()).toEqual(kept.map((e) => e.id))

    db.pragma('query_only = 0')
    await storageHealth.probe()
    expect((await health()).statusCode).toBe(200)
    expect((await push(makeEvents(1))).statusCode).toBe(200)
  })
})
