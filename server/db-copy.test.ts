/**
 * npm run db:copy: a SQLite server's whole database into PostgreSQL, verified,
 * keeping ids, seq and the server identity. Every table of the SQLite schema
 * must hold rows in the fixture and come out with the same count: a table
 * added later and not copied (or not given fixture rows here) fails this test.
 */
import pg from 'pg'
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest'
import { makeEvent, makeIncident } from '../tests/fixtures/events'
import { dbCopyCli } from './db-copy'
import { ingest } from './events/ingest'
import { NO_QUOTA } from './store/faults'
import { openPostgresStore } from './store/postgres'
import { sqliteSchema } from './store/schema-info'
import { openDatabase, sqliteStore } from './store/sqlite'
import type { Store } from './store/types'
import { tempDir } from './test-support'
import { testDatabase, type TestDatabase } from './test-postgres'

vi.setConfig({ testTimeout: 60_000, hookTimeout: 180_000 })

let database: TestDatabase
beforeAll(async () => {
  database = await testDatabase()
})
afterAll(() => database?.drop())
beforeEach(async () => {
  const c = new pg.Client({ connectionString: database.url })
  await c.connect()
  await c.query('DROP SCHEMA public CASCADE; CREATE SCHEMA public')
  await c.end()
})

const closers: (() => unknown)[] = []
afterEach(async () => {
  for (const c of closers.splice(0).reverse()) await c()
})

function capture() {
  let text = ''
  const stream = { write: (s: string) => ((text += s), true) } as unknown as NodeJS.WritableStream
  return { stream, text: () => text }
}

async function copy(from: string, to = database.url) {
  const out = capture()
  const err = capture()
  const code = await dbCopyCli(['--from', from, '--to', to], out.stream, err.stream)
  return { code, out: out.text(), err: err.text() }
}

/** A SQLite DATA_DIR with rows in every table, through the store as a running server writes them. */
async function filledDataDir(): Promise<{ dir: string; store: Store; db: ReturnType<typeof openDatabase> }> {
  const dir = tempDir('cp-db-copy-')
  closers.push(dir.remove)
  const db = openDatabase(dir.path)
  const store = sqliteStore(db)
  closers.push(() => store.close())
  const dana = await store.insertToken('Dana', Buffer.alloc(32, 1), '2026-11-01T00:00:00.000Z', { admin: true })
  await store.insertToken('Lee', Buffer.alloc(32, 2), '2026-11-01T00:00:00.000Z', { readOnly: true })
  await store.insertToken('Lost', Buffer.alloc(32, 3), '2026-11-01T00:00:00.000Z')
  await store.revokeTokens('Lost', '2026-11-02T00:00:00.000Z', true)
  await store.touchToken(dana.id, '2026-11-03T00:00:00.000Z')
  await store.recordAdminAction({
    at: '2026-11-02T00:00:00.000Z',
    actorTokenId: dana.id,
    actorName: 'Dana',
    action: 'revoke_wipe',
    target: 'Lost',
    detail: 'lost phone',
  })
  const options = { tokenId: dana.id, day: '2026-11-01', quota: NO_QUOTA }
  await ingest(store, makeIncident(40), { tokenId: dana.id, name: 'Dana' }, options)
  await ingest(store, [makeEvent('log.entry', { text: 'with \u0000 and "quotes" and é' })], undefined, options)
  await store.probeWrite(0)
  await store.ensureVapidKeys({ publicKey: 'pub', privateKey: 'priv' })
  await store.savePushSubscription(
    {
      endpoint: 'https://push.example/1',
      tokenId: dana.id,
      p256dh: 'B'.padEnd(87, 'A'),
      auth: 'A'.repeat(22),
      person: { id: 'device-1', name: 'Dana' },
      topics: ['update-due'],
    },
    '2026-11-01T00:00:00.000Z',
  )
  await store.claimPushNotice('due:INC:1', '2026-11-01T00:00:00.000Z')
  await store.insertStatusLink({
    incidentId: null,
    hash: Buffer.alloc(32, 5),
    createdAt: '2026-11-01T00:00:00.000Z',
    createdBy: 'Dana',
    tokenId: dana.id,
  })
  const runbook = {
    runbookId: 'network/switch-down',
    source: '# Switch down\n\n1. Check power\n',
    title: 'Switch down',
    reviewBy: '2027-01-01',
    author: 'repository',
    authorTokenId: null,
    at: '2026-11-01T00:00:00.000Z',
    note: 'From the repository',
    baseVersion: null,
  }
  await store.addRunbookVersion({ ...runbook, publish: true }, 'create')
  await store.addRunbookVersion(
    {
      ...runbook,
      source: '# Switch down\n\n1. Check power and uplink\n',
      author: 'Dana',
      authorTokenId: dana.id,
      baseVersion: 1,
      publish: false,
    },
    'append',
  )
  // Issue #15's tables: push, status links and the email outbox.
  await store.savePushSubscription(
    {
      endpoint: 'https://fcm.googleapis.com/fcm/send/abc',
      tokenId: dana.id,
      p256dh: 'BPk',
      auth: 'auth',
      person: { id: 'dana', name: 'Dana' },
      topics: ['role-assigned'],
    },
    '2026-11-01T00:00:00.000Z',
  )
  await store.claimPushNotice('due:INC-1:1', '2026-11-01T00:00:00.000Z')
  await store.insertStatusLink({
    incidentId: 'INC-1',
    hash: Buffer.alloc(32, 7),
    createdAt: '2026-11-01T00:00:00.000Z',
    createdBy: 'Dana',
    tokenId: dana.id,
  })
  await store.claimMailJob({ eventId: 'update-1', incidentId: 'INC-1', node: 'node-a', now: 1, leaseUntil: 2 })
  await store.claimMailRecipients('update-1', ['lee@lincoln.example'], 1)
  await store.finishMailRecipient('update-1', 'lee@lincoln.example', 'sent', '250 OK', 2)
  for (const table of sqliteSchema(db).keys()) {
    const { n } = db.prepare(`SELECT COUNT(*) AS n FROM "${table}"`).get() as { n: number }
    // A new table needs rows above (written through the store) so its copy is checked.
    expect(n, `table ${table} has no rows in the db:copy fixture`).toBeGreaterThan(0)
  }
  return { dir: dir.path, store, db }
}

describe('npm run db:copy', () => {
  it('copies every table with the same ids, seq and server identity, verified', async () => {
    const { dir, store, db } = await filledDataDir()
    const result = await copy(`sqlite:${dir}`)
    expect(result.err).toBe('')
    expect(result.code).toBe(0)
    expect(result.out).toMatch(/verified: every table's row count and digest match \(digest [0-9a-f]{64}\)/)
    expect(result.out).toContain(`server id ${await store.serverId()} kept`)

    const target = await openPostgresStore(database.url, { poolSize: 2 })
    closers.push(() => target.close())
    expect(await target.serverId()).toBe(await store.serverId())
    expect(await target.readEventsAfter(0, 1000)).toEqual(await store.readEventsAfter(0, 1000))
    expect(await target.listTokensWithDevices()).toEqual(await store.listTokensWithDevices())
    expect(await target.listAdminActions(10)).toEqual(await store.listAdminActions(10))
    expect(await target.listRunbooks()).toEqual(await store.listRunbooks())
    expect(await target.listPushSubscriptions()).toEqual(await store.listPushSubscriptions())
    expect(await target.ensureVapidKeys({ publicKey: 'x', privateKey: 'y' })).toEqual({
      publicKey: 'pub',
      privateKey: 'priv',
    })
    expect(await target.findStatusLink(Buffer.alloc(32, 5))).toEqual(await store.findStatusLink(Buffer.alloc(32, 5)))
    expect(await target.runbookVersion('network/switch-down', 2)).toEqual(
      await store.runbookVersion('network/switch-down', 2),
    )

    // Row counts of every table the SQLite database has, compared one by one.
    const client = new pg.Client({ connectionString: database.url })
    await client.connect()
    closers.push(() => client.end())
    for (const table of sqliteSchema(db).keys()) {
      const { n } = db.prepare(`SELECT COUNT(*) AS n FROM "${table}"`).get() as { n: number }
      const { rows } = await client.query<{ n: string }>(`SELECT COUNT(*) AS n FROM ${pg.escapeIdentifier(table)}`)
      expect(Number(rows[0]!.n), table).toBe(n)
    }

    // The copy carries on where the source stopped: next seq, next token id, next status link id.
    const next = makeEvent('log.entry')
    const { lastSeq } = await ingest(target, [next])
    expect(lastSeq).toBe((await store.lastSeq()) + 1)
    const token = await target.insertToken('New', Buffer.alloc(32, 9), 'now')
    expect(token.id).toBe((await store.countTokens()) + 1)
  })

  it('refuses a target that is not empty, writing nothing', async () => {
    const { dir, store } = await filledDataDir()
    expect((await copy(`sqlite:${dir}`)).code).toBe(0)
    const again = await copy(`sqlite:${dir}`)
    expect(again.code).toBe(1)
    expect(again.err).toMatch(/the target database is not empty \(table \w+ has rows\)/)
    const c = new pg.Client({ connectionString: database.url })
    await c.connect()
    closers.push(() => c.end())
    const { rows } = await c.query<{ n: string }>('SELECT COUNT(*) AS n FROM events')
    expect(Number(rows[0]!.n)).toBe(await store.lastSeq())
  })

  it('refuses a target whose schema differs from the source, naming the difference', async () => {
    const { dir } = await filledDataDir()
    const target = await openPostgresStore(database.url, { poolSize: 1 })
    await target.close()
    const c = new pg.Client({ connectionString: database.url })
    await c.connect()
    await c.query('ALTER TABLE events ADD COLUMN extra TEXT')
    await c.end()
    const result = await copy(`sqlite:${dir}`)
    expect(result.code).toBe(1)
    expect(result.err).toMatch(/column events.extra is in PostgreSQL but not in the SQLite database/)
  })

  it('accepts a target a server already started on (its identity only), and answers usage errors', async () => {
    const { dir, store } = await filledDataDir()
    const early = await openPostgresStore(database.url, { poolSize: 1 })
    const ownId = await early.serverId()
    await early.close()
    expect((await copy(`sqlite:${dir}`)).code).toBe(0)
    const target = await openPostgresStore(database.url, { poolSize: 1 })
    closers.push(() => target.close())
    expect(await target.serverId()).toBe(await store.serverId())
    expect(await target.serverId()).not.toBe(ownId)
    expect((await copy(`sqlite:${dir}/nothing-here`)).err).toMatch(/no SQLite database at/)
    expect((await copy(dir)).code).toBe(1)
    expect((await copy(`sqlite:${dir}`, 'mysql://x')).code).toBe(2)
  })
})
