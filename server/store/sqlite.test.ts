import { existsSync } from 'node:fs'
import { join } from 'node:path'
import Database from 'better-sqlite3'
import { afterEach, describe, expect, it } from 'vitest'
import { makeEvent } from '../../tests/fixtures/events'
import { canonicalJson } from '../events/canonical'
import { tempDir } from '../test-support'
import { migrate, migrations, schemaVersion } from './migrations'
import { DATABASE_FILE, openDatabase, openSqliteStore } from './sqlite'
import type { NewEvent, Store } from './types'

function toNew(event: ReturnType<typeof makeEvent>): NewEvent {
  return { id: event.id, incidentId: event.incidentId, hlc: event.hlc, body: canonicalJson(event) }
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
