import { existsSync } from 'node:fs'
import { join } from 'node:path'
import Database from 'better-sqlite3'
import { afterEach, describe, expect, it } from 'vitest'
import { makeEvent } from '../../tests/fixtures/events'
import { canonicalJson } from '../events/canonical'
import { tempDir } from '../test-support'
import { migrate, migrations, schemaVersion } from './migrations'
import { utcDay } from './faults'
import { DATABASE_FILE, openDatabase, openSqliteStore, USAGE_KEEP_DAYS } from './sqlite'
import type { NewEvent, Store } from './types'

function toNew(event: ReturnType<typeof makeEvent>): NewEvent {
  return { id: event.id, incidentId: event.incidentId, type: event.type, hlc: event.hlc, body: canonicalJson(event) }
}

const cleanup: (() => void | Promise<void>)[] = []
afterEach(async () => {
  for (const f of cleanup.splice(0)) await f()
})

function memoryStore(): Store {
  const store = openSqliteStore(':memory:')
  cleanup.push(() => store.close())
  return store
}

describe('SQLite store', () => {
  it('creates DATA_DIR and a WAL database with synchronous=FULL', async () => {
    const dir = tempDir()
    cleanup.push(dir.remove)
    const dataDir = join(dir.path, 'nested', 'data')
    const db = openDatabase(dataDir)
    expect(existsSync(join(dataDir, DATABASE_FILE))).toBe(true)
    expect(db.pragma('journal_mode', { simple: true })).toBe('wal')
    expect(db.pragma('synchronous', { simple: true })).toBe(2) // 2 = FULL
    expect(schemaVersion(db)).toBe(migrations.length)
    db.close()
  })

  it('runs migrations once, in order, and refuses a newer schema', () => {
    const db = new Database(':memory:')
    expect(migrate(db, ['CREATE TABLE a (x)', 'CREATE TABLE b (y)'])).toBe(2)
    expect(migrate(db, ['CREATE TABLE a (x)', 'CREATE TABLE b (y)'])).toBe(2)
    expect(migrate(db, ['CREATE TABLE a (x)', 'CREATE TABLE b (y)', 'ALTER TABLE b ADD COLUMN z'])).toBe(3)
    expect(() => migrate(db, ['CREATE TABLE a (x)'])).toThrow(/newer than this server knows/)
    db.close()
  })

  it('rolls back a failing migration and keeps the old version', () => {
    const db = new Database(':memory:')
    migrate(db, ['CREATE TABLE a (x)'])
    expect(() => migrate(db, ['CREATE TABLE a (x)', 'CREATE TABLE c (z); INSERT INTO nope VALUES (1)'])).toThrow()
    expect(schemaVersion(db)).toBe(1)
    expect(db.prepare("SELECT name FROM sqlite_master WHERE name = 'c'").get()).toBeUndefined()
    db.close()
  })

  it('assigns seq in arrival order and tells accepted, duplicate and conflict apart', async () => {
    const store = memoryStore()
    const a = makeEvent('incident.declared')
    const b = makeEvent('log.entry', {}, { incidentId: a.incidentId })
    const changedB = { ...toNew(b), body: canonicalJson({ ...b, payload: { ...b.payload, text: 'other' } }) }
    const first = await store.appendEvents([toNew(a), toNew(b)])
    expect(first).toEqual({ outcomes: ['accepted', 'accepted'], lastSeq: 2 })
    const second = await store.appendEvents([toNew(a), changedB, toNew(a)])
    expect(second).toEqual({ outcomes: ['duplicate', 'conflict', 'duplicate'], lastSeq: 2 })
    const c = makeEvent('log.entry')
    // Duplicates and conflicts leave no gap in seq.
    expect(await store.appendEvents([toNew(c)])).toEqual({ outcomes: ['accepted'], lastSeq: 3 })
    const page = await store.readEventsAfter(0, 10)
    expect(page.more).toBe(false)
    expect(page.events.map((e) => [e.seq, e.id])).toEqual([
      [1, a.id],
      [2, b.id],
      [3, c.id],
    ])
    expect(page.events[1]).toEqual({ ...b, seq: 2 })
  })

  it('keeps the first declaration stored and refuses a later one or events stamped before it', async () => {
    const store = memoryStore()
    const incidentId = 'INC0000000000000000000001'
    const early = makeEvent('log.entry', {}, { incidentId, hlc: '000000000001000:00000:phone' })
    // Orphans wait as before: no declaration is stored yet, so a back-dated event is still taken.
    expect((await store.appendEvents([toNew(early)])).outcomes).toEqual(['accepted'])
    expect(await store.declarationOf(incidentId)).toBeNull()
    const decl = makeEvent('incident.declared', {}, { incidentId, hlc: '000000000005000:00000:phone' })
    const sameBatch = makeEvent('log.entry', {}, { incidentId, hlc: '000000000004000:00000:phone' })
    expect((await store.appendEvents([toNew(decl), toNew(sameBatch)])).outcomes).toEqual([
      'accepted',
      'before_declared',
    ])
    expect(await store.declarationOf(incidentId)).toEqual({ id: decl.id, hlc: decl.hlc, seq: 2 })
    const near1970 = makeEvent(
      'incident.declared',
      { title: 'Pwned' },
      { incidentId, hlc: '000000000000001:00000:evil' },
    )
    const later = makeEvent('incident.declared', {}, { incidentId, hlc: '000000000009000:00000:phone' })
    const atStamp = makeEvent('incident.status', {}, { incidentId, hlc: decl.hlc })
    const after = makeEvent('incident.status', {}, { incidentId, hlc: '000000000005000:00001:phone' })
    expect((await store.appendEvents([near1970, later, atStamp, after, decl].map(toNew))).outcomes).toEqual([
      'already_declared',
      'already_declared',
      'before_declared',
      'accepted',
      'duplicate',
    ])
    expect((await store.readEventsAfter(0, 10)).events.map((e) => e.id)).toEqual([early.id, decl.id, after.id])
  })

  it('lets only one of two concurrent batches declare an incident', async () => {
    const store = memoryStore()
    const incidentId = 'INC0000000000000000000002'
    const a = makeEvent('incident.declared', { title: 'A' }, { incidentId })
    const b = makeEvent('incident.declared', { title: 'B' }, { incidentId })
    const results = await Promise.all([store.appendEvents([toNew(a)]), store.appendEvents([toNew(b)])])
    expect(results.map((r) => r.outcomes[0]).sort()).toEqual(['accepted', 'already_declared'])
    expect((await store.declarationOf(incidentId))?.id).toBe(a.id)
  })

  it('finds declarations stored before migration 2 through its partial index', () => {
    const db = new Database(':memory:')
    migrate(db, migrations.slice(0, 1))
    const insert = db.prepare('INSERT INTO events (id, incident_id, hlc, body, received_at) VALUES (?, ?, ?, ?, ?)')
    const incidentId = 'INC0000000000000000000003'
    const first = makeEvent('incident.declared', {}, { incidentId, hlc: '000000000009000:00000:phone' })
    const second = makeEvent('incident.declared', {}, { incidentId, hlc: '000000000000001:00000:evil' })
    for (const e of [first, second]) insert.run(e.id, e.incidentId, e.hlc, canonicalJson(e), 'now')
    expect(migrate(db)).toBe(migrations.length)
    const sql = `SELECT id, hlc, seq FROM events WHERE incident_id = ? AND json_extract(body, '$.type') = 'incident.declared' ORDER BY seq LIMIT 1`
    expect(db.prepare(sql).get(incidentId)).toEqual({ id: first.id, hlc: first.hlc, seq: 1 })
    const plan = db.prepare(`EXPLAIN QUERY PLAN ${sql}`).all(incidentId) as { detail: string }[]
    expect(plan.map((p) => p.detail).join('\n')).toMatch(/USING INDEX events_declarations/)
    db.close()
  })

  it('keeps events and tokens stored before migration 3: no sender, tokens neither read-only nor admin', async () => {
    const dir = tempDir()
    cleanup.push(dir.remove)
    const old = new Database(join(dir.path, DATABASE_FILE))
    migrate(old, migrations.slice(0, 2))
    const event = makeEvent('log.entry')
    old
      .prepare('INSERT INTO events (id, incident_id, hlc, body, received_at) VALUES (?, ?, ?, ?, ?)')
      .run(event.id, event.incidentId, event.hlc, canonicalJson(event), 'now')
    old.prepare("INSERT INTO tokens (name, hash, created_at) VALUES ('Dana', x'00', 'now')").run()
    old.close()
    const store = openSqliteStore(dir.path)
    cleanup.push(() => store.close())
    expect((await store.readEventsAfter(0, 10)).events).toEqual([{ ...event, seq: 1 }])
    expect((await store.listActiveTokens()).map((t) => t.name)).toEqual(['Dana'])
    const sender = { tokenId: 1, name: 'Dana' }
    const next = makeEvent('log.entry')
    await store.appendEvents([{ ...toNew(next), receivedFrom: sender }])
    expect((await store.readEventsAfter(1, 10)).events).toEqual([{ ...next, seq: 2, receivedFrom: sender }])
  })

  it('calls a re-sent event duplicate when the stored copy differs only by Unicode normalisation', async () => {
    const store = memoryStore()
    const event = makeEvent('log.entry', { text: 'Caf\u00E9' })
    // As a server before NFC normalisation stored it: decomposed.
    const legacy = {
      ...toNew(event),
      body: canonicalJson({ ...event, payload: { ...event.payload, text: 'Cafe\u0301' } }),
    }
    await store.appendEvents([legacy])
    expect((await store.appendEvents([toNew(event)])).outcomes).toEqual(['duplicate'])
    const changed = makeEvent('log.entry', { text: 'Cafe' }, { id: event.id, incidentId: event.incidentId })
    expect((await store.appendEvents([toNew(changed)])).outcomes).toEqual(['conflict'])
  })

  it('pages with `more` and reads after a cursor', async () => {
    const store = memoryStore()
    const events = Array.from({ length: 5 }, () => makeEvent('log.entry'))
    await store.appendEvents(events.map(toNew))
    expect(await store.lastSeq()).toBe(5)
    const p1 = await store.readEventsAfter(0, 2)
    expect(p1.events.map((e) => e.seq)).toEqual([1, 2])
    expect(p1.more).toBe(true)
    const p2 = await store.readEventsAfter(3, 2)
    expect(p2.events.map((e) => e.seq)).toEqual([4, 5])
    expect(p2.more).toBe(false)
    expect((await store.readEventsAfter(5, 2)).events).toEqual([])
  })

  it('keeps events across reopen', async () => {
    const dir = tempDir()
    cleanup.push(dir.remove)
    const event = makeEvent('incident.declared')
    const store = openSqliteStore(dir.path)
    await store.appendEvents([toNew(event)])
    await store.close()
    const reopened = openSqliteStore(dir.path)
    expect((await reopened.readEventsAfter(0, 10)).events).toEqual([{ ...event, seq: 1 }])
    expect((await reopened.appendEvents([toNew(event)])).outcomes).toEqual(['duplicate'])
    await reopened.close()
  })

  it('stores token hashes, lists, touches and revokes by name', async () => {
    const store = memoryStore()
    const hash = Buffer.alloc(32, 7)
    const rec = await store.insertToken('Dana', hash, '2026-11-01T00:00:00.000Z')
    await store.insertToken('Dana', Buffer.alloc(32, 8), '2026-11-01T00:00:00.000Z')
    await store.insertToken('Lee', Buffer.alloc(32, 9), '2026-11-01T00:00:00.000Z')
    expect(await store.findActiveToken(hash)).toMatchObject({ id: rec.id, name: 'Dana', hash })
    await store.touchToken(rec.id, '2026-11-02T00:00:00.000Z')
    expect((await store.listActiveTokens())[0]!.lastUsedAt).toBe('2026-11-02T00:00:00.000Z')
    expect(await store.revokeTokens('Dana', '2026-11-03T00:00:00.000Z')).toHaveLength(2)
    expect(await store.findActiveToken(hash)).toBeNull()
    expect(await store.isTokenActive(rec.id)).toBe(false)
    expect((await store.listActiveTokens()).map((t) => t.name)).toEqual(['Lee'])
    expect(await store.countTokens()).toBe(3)
  })
})

describe('daily quota usage', () => {
  const noQuota = { tokenEvents: 0, tokenBytes: 0, serverEvents: 0, serverBytes: 0 }

  it('keeps only the last USAGE_KEEP_DAYS days of usage rows, pruned by the first write of a day', async () => {
    const dir = tempDir()
    cleanup.push(dir.remove)
    const store = openSqliteStore(dir.path)
    cleanup.push(() => store.close())
    const days = Array.from({ length: 12 }, (_, i) => utcDay(Date.UTC(2026, 0, 25 + i)))
    for (const day of days)
      for (const tokenId of [1, 2])
        await store.appendEvents([toNew(makeEvent('incident.declared'))], { tokenId, day, quota: noQuota })

    const read = new Database(join(dir.path, DATABASE_FILE), { readonly: true })
    cleanup.push(() => {
      read.close()
    })
    const rows = read.prepare('SELECT day, token_id AS tokenId, events FROM usage ORDER BY day, token_id').all()
    const kept = days.slice(-USAGE_KEEP_DAYS)
    expect(rows).toEqual(kept.flatMap((day) => [1, 2].map((tokenId) => ({ day, tokenId, events: 1 }))))
    // Across a month's end: the window counts calendar days.
    expect(kept[0]).toBe('2026-01-30')

    // Today's counts are untouched by the pruning: the quota still sees them.
    const today = days.at(-1)!
    const full = { ...noQuota, tokenEvents: 2 }
    await store.appendEvents([toNew(makeEvent('incident.declared'))], { tokenId: 1, day: today, quota: full })
    await expect(
      store.appendEvents([toNew(makeEvent('incident.declared'))], { tokenId: 1, day: today, quota: full }),
    ).rejects.toThrow(/daily quota/)
  })
})
