/** The push and status-link parts of the SQLite store (migration 6), on one file shared by two connections like two nodes. */
import { afterEach, describe, expect, it } from 'vitest'
import { makeEvent, makeIncident } from '../../tests/fixtures/events'
import { ingest } from '../events/ingest'
import { tempDir } from '../test-support'
import { hashToken } from '../auth/tokens'
import Database from 'better-sqlite3'
import { openSqliteStore } from './sqlite'
import { migrate, migrations, schemaVersion } from './migrations'
import type { PushSubscriptionRecord, Store } from './types'

const dirs: { remove(): void }[] = []
const stores: Store[] = []
afterEach(async () => {
  for (const s of stores.splice(0)) await s.close()
  for (const d of dirs.splice(0)) d.remove()
})

/** Two stores on one database file: two server nodes. */
function twoNodes(): [Store, Store] {
  const dir = tempDir('cp-comms-')
  dirs.push(dir)
  const a = openSqliteStore(dir.path)
  const b = openSqliteStore(dir.path)
  stores.push(a, b)
  return [a, b]
}

const sub = (
  endpoint: string,
  tokenId: number,
  over: Partial<PushSubscriptionRecord> = {},
): PushSubscriptionRecord => ({
  endpoint,
  tokenId,
  p256dh: 'B'.padEnd(87, 'A'),
  auth: 'A'.repeat(22),
  person: { id: 'device-1', name: 'Dana' },
  topics: ['update-due', 'role-assigned'],
  ...over,
})

describe('SQLite store: push', () => {
  it('migrates a version-5 database to 6 without touching its events', async () => {
    const dir = tempDir('cp-comms-mig-')
    dirs.push(dir)
    const db = new Database(`${dir.path}/old.sqlite`)
    migrate(db, migrations.slice(0, 5))
    expect(schemaVersion(db)).toBe(5)
    const e = makeEvent('incident.declared')
    db.prepare('INSERT INTO events (id, incident_id, hlc, body, received_at) VALUES (?, ?, ?, ?, ?)').run(
      e.id,
      e.incidentId,
      e.hlc,
      JSON.stringify(e),
      e.at,
    )
    expect(migrate(db)).toBe(migrations.length)
    expect(db.prepare('SELECT id FROM events WHERE incident_id = ?').all(e.incidentId)).toEqual([{ id: e.id }])
    expect(migrations.length).toBeGreaterThanOrEqual(6)
    const tables = db
      .prepare<[], { name: string }>("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name")
      .all()
      .map((r) => r.name)
    expect(tables).toEqual(expect.arrayContaining(['push_subscriptions', 'push_claims', 'status_links']))
    db.close()
  })

  it('keeps the first VAPID keys stored: a second node starting at once signs with the same', async () => {
    const [a, b] = twoNodes()
    const first = await a.ensureVapidKeys({ publicKey: 'pub-1', privateKey: 'priv-1' })
    const second = await b.ensureVapidKeys({ publicKey: 'pub-2', privateKey: 'priv-2' })
    expect(first).toEqual({ publicKey: 'pub-1', privateKey: 'priv-1' })
    expect(second).toEqual(first)
  })

  it('lets exactly one node claim a notice', async () => {
    const [a, b] = twoNodes()
    const at = new Date().toISOString()
    const claims = await Promise.all([a.claimPushNotice('due:INC:1', at), b.claimPushNotice('due:INC:1', at)])
    expect(claims.filter(Boolean)).toHaveLength(1)
    expect(await a.claimPushNotice('due:INC:1', at)).toBe(false)
    expect(await b.claimPushNotice('due:INC:2', at)).toBe(true)
    expect(await a.forgetPushClaims(new Date(Date.now() + 1000).toISOString())).toBe(2)
    expect(await a.claimPushNotice('due:INC:1', at)).toBe(true)
  })

  it('keeps one row per endpoint, lists only active tokens’ subscriptions, deletes them with their token', async () => {
    const [store] = twoNodes()
    const dana = await store.insertToken('Dana', hashToken('a'.repeat(43)), new Date().toISOString())
    const sam = await store.insertToken('Sam', hashToken('b'.repeat(43)), new Date().toISOString())
    await store.savePushSubscription(sub('https://push.example/1', dana.id), '2026-01-01T00:00:00Z')
    await store.savePushSubscription(
      sub('https://push.example/2', sam.id, { person: { name: 'Sam' } }),
      '2026-01-01T00:00:01Z',
    )
    // Sent again: the choices are replaced, not added.
    await store.savePushSubscription(
      sub('https://push.example/1', dana.id, { topics: ['task-assigned'] }),
      '2026-01-01T00:00:02Z',
    )
    let list = await store.listPushSubscriptions()
    expect(list.map((s) => [s.endpoint, s.topics, s.person])).toEqual([
      ['https://push.example/1', ['task-assigned'], { id: 'device-1', name: 'Dana' }],
      ['https://push.example/2', ['update-due', 'role-assigned'], { name: 'Sam' }],
    ])
    // Another token cannot remove Dana's; hers can.
    expect(await store.deletePushSubscription('https://push.example/1', sam.id)).toBe(false)
    await store.revokeTokens('Sam', new Date().toISOString())
    list = await store.listPushSubscriptions()
    expect(list.map((s) => s.endpoint)).toEqual(['https://push.example/1'])
    expect(await store.deletePushSubscriptionsOfRevokedTokens()).toBe(1)
    expect(await store.deletePushSubscription('https://push.example/1', dana.id)).toBe(true)
    expect(await store.listPushSubscriptions()).toEqual([])
  })
})

describe('SQLite store: status links and incident reads', () => {
  it('finds a link by its hash, lists newest first, withdraws once', async () => {
    const [a, b] = twoNodes()
    const made = await a.insertStatusLink({
      incidentId: 'INC0000001',
      hash: hashToken('c'.repeat(43)),
      createdAt: '2026-01-01T00:00:00Z',
      createdBy: 'Dana',
      tokenId: 1,
    })
    const later = await a.insertStatusLink({
      incidentId: 'INC0000001',
      hash: hashToken('d'.repeat(43)),
      createdAt: '2026-01-01T00:01:00Z',
      createdBy: 'Sam',
      tokenId: 2,
    })
    const team = await a.insertStatusLink({
      incidentId: null,
      hash: hashToken('e'.repeat(43)),
      createdAt: '2026-01-01T00:02:00Z',
      createdBy: 'Ada',
      tokenId: 3,
    })
    expect(await b.findStatusLink(hashToken('c'.repeat(43)))).toEqual(made)
    expect(await b.findStatusLink(hashToken('f'.repeat(43)))).toBeNull()
    expect((await b.listStatusLinks('INC0000001')).map((l) => l.id)).toEqual([later.id, made.id])
    expect((await b.listStatusLinks(null)).map((l) => l.id)).toEqual([team.id])
    expect(await b.revokeStatusLink(made.id, '2026-01-02T00:00:00Z')).toBe(true)
    expect(await a.revokeStatusLink(made.id, '2026-01-03T00:00:00Z')).toBe(false)
    expect((await a.statusLinkById(made.id))?.revokedAt).toBe('2026-01-02T00:00:00Z')
    expect(await a.statusLinkById(9999)).toBeNull()
  })

  it('reads one incident’s events in seq order, with seq', async () => {
    const [store] = twoNodes()
    const one = makeIncident(3)
    const other = makeIncident(2)
    await ingest(store, [one[0]!, other[0]!, one[1]!, other[1]!, one[2]!])
    const read = await store.readIncidentEvents(one[0]!.incidentId)
    expect(read.map((e) => e.id)).toEqual(one.map((e) => e.id))
    expect(read.map((e) => e.seq)).toEqual([1, 3, 5])
    expect(await store.readIncidentEvents(makeEvent('log.entry').incidentId)).toEqual([])
  })
})
