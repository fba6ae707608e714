import { afterEach, describe, expect, it } from 'vitest'
import { makeIncident } from '../../tests/fixtures/events'
import { FakeSyncServer, TEST_TOKEN } from '../../tests/fixtures/sync-server'
import { joinedPhone } from '../../tests/fixtures/sync-phone'
import { SyncState } from '../db/database'
import { appendLocalEvents, pendingCount } from '../db/events'
import { readSetting } from '../db/settings'
import type { SyncEngine } from './engine'

// Waits are on state (engine.idle()); this only bounds a hang on a busy machine.
const TIMEOUT = 60_000
const engines: SyncEngine[] = []
afterEach(() => {
  for (const e of engines.splice(0)) e.stop()
})

function phone(server: FakeSyncServer) {
  return joinedPhone({ name: 'recovery', fetch: server.fetch, serverUrl: '', token: TEST_TOKEN, engines })
}

async function round(engine: SyncEngine) {
  await engine.syncNow()
  await engine.idle()
}

const ids = (events: readonly { id: string }[]) => events.map((e) => e.id).sort()

/**
 * The scene: phone A synced 90 events; the server is restored to a
 * backup holding the first 10; phone B then logs 80 new events, which get
 * seq 11–90 again. Before the fix, phone A (cursor 90) saw none of B's events
 * and its own 80 lost events stayed "synced", never re-sent.
 */
async function scene(restore: (server: FakeSyncServer) => void) {
  const server = new FakeSyncServer()
  const a = await phone(server)
  const mine = makeIncident(90)
  await appendLocalEvents(a.db, mine)
  await round(a.engine)
  expect(server.stored).toHaveLength(90)

  restore(server)
  const theirs = makeIncident(80)
  server.seed(theirs)
  expect(server.stored.at(-1)!.seq).toBe(90) // the seq numbers A already passed, handed out again

  await round(a.engine)
  return { server, a, mine, theirs }
}

describe('recovery after a server restore', { timeout: TIMEOUT }, () => {
  it('a new serverId (npm run db:restore): pulls from 0 and re-sends what the server lost, as it was', async () => {
    const { server, a, mine, theirs } = await scene((s) => s.restore(10, 'server-b'))
    expect(ids(server.stored)).toEqual(ids([...mine, ...theirs]))
    // Re-sent with their original content and stamps.
    const resent = server.stored.slice(90)
    expect(resent.map(({ seq: _s, ...e }) => e)).toEqual(mine.slice(10))
    expect(await a.db.events.count()).toBe(170)
    expect(await pendingCount(a.db)).toBe(0)
    expect(await a.db.events.where('sync').equals(SyncState.unconfirmed).count()).toBe(0)
    const cursor = await readSetting(a.db, 'cursor')
    expect(cursor).toMatchObject({ serverId: 'server-b', lastSeq: 90 })
    expect(cursor.recovering).toBeUndefined()
    // The first pull after the restore started from 0, not from the old cursor.
    expect(server.pulls().some((r) => r.query.get('after') === '0' && r !== server.pulls()[0])).toBe(true)
  })

  it('a backup copied back by hand (same serverId): the server answers cursor_unknown and the same recovery runs', async () => {
    const { server, a, mine, theirs } = await scene((s) => s.restore(10))
    const refused = server.pulls().find((r) => r.query.get('after') === '90')
    expect(refused?.query.get('afterId')).toBe(mine[89]!.id)
    expect(ids(server.stored)).toEqual(ids([...mine, ...theirs]))
    expect(await a.db.events.count()).toBe(170)
    expect(await pendingCount(a.db)).toBe(0)
  })

  it('every phone converges: a second phone that never saw the lost events gets them', async () => {
    const { server, a } = await scene((s) => s.restore(10, 'server-b'))
    const b = await phone(server)
    expect(await b.db.events.count()).toBe(170)
    await round(a.engine)
    expect(ids(await a.db.events.toArray())).toEqual(ids(await b.db.events.toArray()))
  })

  it('a recovery cut short (the network drops half-way) finishes on the next round; nothing is lost', async () => {
    const server = new FakeSyncServer()
    const a = await phone(server)
    const mine = makeIncident(2500)
    await appendLocalEvents(a.db, mine)
    await round(a.engine)
    server.restore(1200, 'server-b')
    // The first page of the pull from 0 arrives; the second fails.
    server.fail({ kind: 'network' }, (r) => r.method === 'GET' && r.query.get('after') === '1000')
    await round(a.engine)
    expect((await readSetting(a.db, 'cursor')).recovering).toBe(true)
    expect(await a.db.events.count()).toBe(2500)
    await round(a.engine)
    expect((await readSetting(a.db, 'cursor')).recovering).toBeUndefined()
    expect(ids(server.stored)).toEqual(ids(mine))
    expect(await pendingCount(a.db)).toBe(0)
  })

  it('adopts the identity of a server that had none (an upgrade), without a recovery', async () => {
    const server = new FakeSyncServer()
    server.serverId = undefined
    const a = await phone(server)
    await appendLocalEvents(a.db, makeIncident(3))
    await round(a.engine)
    server.serverId = 'server-a'
    await round(a.engine)
    expect(server.pushes()).toHaveLength(1)
    expect(await readSetting(a.db, 'cursor')).toMatchObject({ serverId: 'server-a', lastSeq: 3 })
  })
})
