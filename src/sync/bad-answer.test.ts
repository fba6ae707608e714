/**
 * A server (or something in its place: a captive portal, a wrong Server URL)
 * answering 200 with a body that is not the contract's: a typed failure, shown
 * as such and retried, and nothing is taken as sent or received.
 */
import { afterEach, describe, expect, it } from 'vitest'
import { makeEvents } from '../../tests/fixtures/events'
import { FakeSyncServer, TEST_TOKEN } from '../../tests/fixtures/sync-server'
import { ManualTimers } from '../../tests/fixtures/timers'
import { CommandPostDatabase, SyncState } from '../db/database'
import { appendLocalEvents, pendingCount } from '../db/events'
import { readSetting, writeSetting } from '../db/settings'
import { createSyncApi, SyncError, type FetchLike } from './api'
import { createSyncEngine, type SyncEngine } from './engine'
import { pullAll } from './pull'
import { pushOutbox } from './push'
import { describeSyncStatus } from './status'
import { SYNC_PROBLEM_MESSAGES } from './status-messages'

const SIGN_IN_PAGE = '<!doctype html><title>Sign in to the Wi-Fi</title>'
let n = 0
const engines: SyncEngine[] = []
afterEach(() => {
  for (const e of engines.splice(0)) e.stop()
})

/** The fake server, except that the next `count` requests matching `match` get `body` with a 200. */
function answeringBadly(server: FakeSyncServer, body: string, count: number, match: (url: string) => boolean) {
  let left = count
  const fetchFn: FetchLike = async (input, init) => {
    if (left > 0 && match(input)) {
      left--
      return new Response(body, { status: 200, headers: { 'content-type': 'text/html' } })
    }
    return server.fetch(input, init)
  }
  return fetchFn
}

async function phone() {
  const db = new CommandPostDatabase(`bad-answer-${Date.now()}-${n++}`)
  const server = new FakeSyncServer()
  await writeSetting(db, 'sync', { serverUrl: '', token: TEST_TOKEN })
  return { db, server }
}

describe('a push answered with something that is not a push answer', () => {
  it('fails with bad-answer and leaves every event pending (neither acknowledged nor refused)', async () => {
    const { db, server } = await phone()
    const events = makeEvents(3)
    await appendLocalEvents(db, events)
    const fetchFn = answeringBadly(server, '{"accepted":"all of them"}', 1, () => true)
    const api = createSyncApi({ serverUrl: '', token: TEST_TOKEN }, fetchFn)
    const failure = await pushOutbox(db, api).catch((e: unknown) => e)
    expect(failure).toBeInstanceOf(SyncError)
    expect((failure as SyncError).failure).toEqual({ kind: 'bad-answer', detail: expect.stringMatching(/^accepted: /) })
    expect(await pendingCount(db)).toBe(3)
    const rows = await db.events.bulkGet(events.map((e) => e.id))
    expect(rows.map((r) => r?.sync)).toEqual([SyncState.pending, SyncState.pending, SyncState.pending])
  })
})

describe('a pull answered with something that is not a page', () => {
  it('fails with bad-answer, stores nothing and leaves the cursor where it was', async () => {
    const { db, server } = await phone()
    server.seed(makeEvents(4))
    const fetchFn = answeringBadly(server, '{"events":[],"last":"4","more":false}', 1, () => true)
    const api = createSyncApi({ serverUrl: '', token: TEST_TOKEN }, fetchFn)
    await expect(pullAll(db, api)).rejects.toMatchObject({ failure: { kind: 'bad-answer' } })
    expect(await db.events.count()).toBe(0)
    expect(await readSetting(db, 'cursor')).toEqual({ lastSeq: 0, lastSyncAt: null })
  })
})

describe('the sync engine meeting a bad answer', () => {
  it('shows it as its own problem, retries with backoff, and syncs once the answers are right again', async () => {
    const { db, server } = await phone()
    await appendLocalEvents(db, makeEvents(2))
    const timers = new ManualTimers()
    const fetchFn = answeringBadly(server, SIGN_IN_PAGE, 2, () => true)
    const engine = createSyncEngine({ db, fetch: fetchFn, timers, random: () => 0, stream: false })
    engines.push(engine)
    await engine.start()
    await engine.idle()

    const { status, lastSyncAt } = engine.snapshot()
    expect(status).toEqual({ kind: 'error', problem: 'bad-answer', retryAt: expect.any(Number) })
    expect(lastSyncAt).toBeNull()
    expect(describeSyncStatus(status, 2, 0)).toBe('Offline · unexpected answer from the server · 2 pending')
    expect(SYNC_PROBLEM_MESSAGES['bad-answer']).toMatch(/try again/)
    expect(await pendingCount(db)).toBe(2)
    expect(server.stored).toEqual([])
    // The same backoff as a server error: 1 s halved by jitter, then doubling.
    expect(timers.pending()).toEqual([500])
    timers.fireNext(45_000)
    await engine.idle()
    expect(engine.snapshot().status).toMatchObject({ kind: 'error', problem: 'bad-answer' })
    expect(timers.pending()).toEqual([1000])

    timers.fireNext(45_000)
    await engine.idle()
    expect(engine.snapshot().status.kind).toBe('synced')
    expect(await pendingCount(db)).toBe(0)
    expect(server.stored).toHaveLength(2)
  })
})
