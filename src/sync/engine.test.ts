import { afterEach, describe, expect, it, vi } from 'vitest'
import { makeEvent, makeEvents, makeIncident } from '../../tests/fixtures/events'
import { FakeSyncServer, sseFor, TEST_TOKEN } from '../../tests/fixtures/sync-server'
import { ManualTimers } from '../../tests/fixtures/timers'
import { CommandPostDatabase, SyncState } from '../db/database'
import { appendLocalEvents, eventsOfIncident, pendingCount } from '../db/events'
import { readSetting, writeSetting } from '../db/settings'
import type { KeyStore } from '../db/wipe'
import { createSyncEngine, type SyncEngine, type SyncEngineOptions, type SyncSnapshot } from './engine'
import { TOO_LARGE_REASON } from './push'

// Every wait below is on state (a round ending, a snapshot, a timer being set), never on the clock;
// this only bounds a hang. fake-indexeddb on a busy machine can take seconds for the big batches.
const TIMEOUT = 60_000

let n = 0
const engines: SyncEngine[] = []
afterEach(() => {
  for (const e of engines.splice(0)) e.stop()
})

async function world(options: Partial<SyncEngineOptions> & { joined?: boolean } = {}) {
  const db = new CommandPostDatabase(`engine-${Date.now()}-${n++}`)
  const server = new FakeSyncServer()
  const timers = new ManualTimers()
  if (options.joined !== false) await writeSetting(db, 'sync', { serverUrl: '', token: TEST_TOKEN })
  const waiters = new Set<() => Promise<void>>()
  const engine = createSyncEngine({
    db,
    fetch: server.fetch,
    timers,
    random: () => 0,
    stream: false,
    onChange: () => waiters.forEach((w) => void w()),
    ...options,
  })
  engines.push(engine)
  /** Resolves once `check` holds, checked now and after every change the engine reports. */
  const when = (check: (snapshot: SyncSnapshot) => boolean | Promise<boolean>) =>
    new Promise<void>((resolve, reject) => {
      const waiter = async () => {
        let done: boolean
        try {
          done = await check(engine.snapshot())
        } catch (e) {
          waiters.delete(waiter)
          return reject(e as Error)
        }
        if (!done) return
        waiters.delete(waiter)
        resolve()
      }
      waiters.add(waiter)
      void waiter()
    })
  /** Run the next waiting retry/interval timer and wait for its round. */
  const next = async () => {
    const ms = timers.fireNext(45_000)
    await engine.idle()
    return ms
  }
  return { db, server, timers, engine, next, when }
}

describe('sync engine: push', { timeout: TIMEOUT }, () => {
  it('sends the outbox in batches of at most 500 and marks every event acknowledged', async () => {
    const { db, server, engine } = await world()
    await appendLocalEvents(db, makeEvents(1203))
    await engine.start()
    await engine.idle()
    expect(server.pushes().map((r) => r.events!.length)).toEqual([500, 500, 203])
    expect(server.stored).toHaveLength(1203)
    expect(await pendingCount(db)).toBe(0)
    expect(engine.snapshot().status.kind).toBe('synced')
  })

  it('keeps every body within 1 MiB', async () => {
    const { db, server, engine } = await world()
    const big = Array.from({ length: 600 }, (_, i) => makeEvent('log.entry', { text: `${i} ${'x'.repeat(3990)}` }))
    await appendLocalEvents(db, big)
    await engine.start()
    await engine.idle()
    expect(server.pushes().length).toBeGreaterThan(2)
    for (const push of server.pushes()) expect(push.bytes).toBeLessThanOrEqual(1024 * 1024)
    expect(server.stored).toHaveLength(600)
  })

  it('keeps a refused event in its incident, marked with the server’s reason, and does not resend it', async () => {
    const { db, server, engine } = await world()
    const [declared, entry, other] = makeIncident(3)
    server.refuse.set(entry!.id, 'conflict')
    await appendLocalEvents(db, [declared!, entry!, other!])
    await engine.start()
    await engine.idle()
    const row = await db.events.get(entry!.id)
    expect(row).toMatchObject({ sync: SyncState.rejected, rejectedReason: 'conflict' })
    expect((await eventsOfIncident(db, declared!.incidentId)).map((e) => e.id)).toContain(entry!.id)
    expect(server.stored.map((e) => e.id).sort()).toEqual([declared!.id, other!.id].sort())
    const pushesBefore = server.pushes().length
    await engine.syncNow()
    expect(server.pushes().length).toBe(pushesBefore)
  })

  it('treats duplicates as acknowledged', async () => {
    const { db, server, engine } = await world()
    const events = makeIncident(2)
    server.seed(events)
    await appendLocalEvents(db, events)
    await engine.start()
    await engine.idle()
    expect(await pendingCount(db)).toBe(0)
    expect(server.stored).toHaveLength(2)
  })

  it('splits a batch the server finds too large (413), and marks an event too large even alone as refused', async () => {
    const { db, server, engine } = await world()
    server.maxBytes = 3000
    const small = makeEvents(12)
    const huge = makeEvent('log.entry', { text: 'y'.repeat(3500) })
    await appendLocalEvents(db, [...small, huge])
    await engine.start()
    await engine.idle()
    expect(server.stored.map((e) => e.id).sort()).toEqual(small.map((e) => e.id).sort())
    expect(await db.events.get(huge.id)).toMatchObject({ sync: SyncState.rejected, rejectedReason: TOO_LARGE_REASON })
    const sizes = server.pushes().map((r) => r.events!.length)
    expect(sizes[0]).toBe(13)
    expect(Math.min(...sizes)).toBe(1)
    expect(await pendingCount(db)).toBe(0)
  })
})

describe('sync engine: failures and retries', { timeout: TIMEOUT }, () => {
  it('backs off exponentially with jitter while the server is unreachable, capped at 60 s', async () => {
    const { db, server, timers, engine, next } = await world()
    for (let i = 0; i < 9; i++) server.fail({ kind: 'network' })
    await appendLocalEvents(db, makeIncident(1))
    await engine.start()
    await engine.idle()
    expect(engine.snapshot().status).toMatchObject({ kind: 'error', problem: 'unreachable' })
    const delays: number[] = []
    for (let i = 0; i < 9; i++) {
      delays.push(...timers.pending())
      if (i < 8) await next()
    }
    expect(delays).toEqual([500, 1000, 2000, 4000, 8000, 16_000, 30_000, 30_000, 30_000])
    await next()
    expect(engine.snapshot().status.kind).toBe('synced')
    expect(await pendingCount(db)).toBe(0)
    // Healthy again: the next round is the regular interval, and a new failure starts from the bottom.
    expect(timers.pending()).toEqual([30_000])
    server.fail({ kind: 'network' })
    await next()
    expect(timers.pending()).toEqual([500])
  })

  it('stops for good on 401 until the settings change', async () => {
    const { db, server, timers, engine } = await world()
    server.token = 'a-new-token-the-phone-does-not-have-yet-000'
    await appendLocalEvents(db, makeIncident(1))
    await engine.start()
    await engine.idle()
    expect(engine.snapshot().status).toEqual({ kind: 'error', problem: 'auth', retryAt: null })
    expect(timers.pending()).toEqual([])
    const requests = server.requests.length
    engine.nudge()
    timers.fire(300)
    engine.setOnline(false)
    engine.setOnline(true)
    await engine.idle()
    expect(server.requests.length).toBe(requests)
    expect(engine.snapshot().status).toMatchObject({ kind: 'error', problem: 'auth' })

    await engine.configure({ serverUrl: '', token: server.token })
    await engine.idle()
    expect(engine.snapshot().status.kind).toBe('synced')
    expect(await pendingCount(db)).toBe(0)
  })

  it('waits as long as Retry-After says on 429', async () => {
    const { server, timers, engine } = await world()
    server.fail({ kind: 'status', status: 429, retryAfter: '7' })
    await engine.start()
    await engine.idle()
    expect(engine.snapshot().status).toMatchObject({ kind: 'error', problem: 'rate-limited' })
    expect(timers.pending()).toEqual([7000])
  })

  it('says Offline and sends nothing while the browser is offline, then syncs when it is back', async () => {
    const { db, server, timers, engine } = await world({ online: false })
    await engine.start()
    await engine.idle()
    expect(engine.snapshot().status.kind).toBe('offline')
    await appendLocalEvents(db, makeIncident(2))
    engine.nudge()
    expect(timers.pending()).toEqual([300])
    timers.fire(300)
    await engine.idle()
    expect(server.requests).toEqual([])
    engine.setOnline(true)
    await engine.idle()
    expect(server.stored).toHaveLength(2)
    expect(engine.snapshot().status.kind).toBe('synced')
  })

  it('debounces local writes into one round', async () => {
    const { db, server, timers, engine } = await world()
    await engine.start()
    await engine.idle()
    const before = server.pushes().length
    for (let i = 0; i < 5; i++) {
      await appendLocalEvents(db, makeEvents(1))
      engine.nudge()
    }
    expect(timers.pending().filter((ms) => ms === 300)).toHaveLength(1)
    timers.fire(300)
    await engine.idle()
    expect(server.pushes().length - before).toBe(1)
    expect(server.pushes().at(-1)!.events).toHaveLength(5)
  })

  it('says Local only and makes no request without server settings', async () => {
    const { server, engine } = await world({ joined: false })
    await engine.start()
    engine.nudge()
    await engine.syncNow()
    expect(engine.snapshot().status).toEqual({ kind: 'local-only' })
    expect(server.requests).toEqual([])
  })
})

describe('sync engine: pull', { timeout: TIMEOUT }, () => {
  it('pages through the server’s history 1000 at a time and keeps the cursor', async () => {
    const { db, server, engine } = await world()
    server.seed(makeEvents(2500))
    await engine.start()
    await engine.idle()
    expect(server.pulls().map((r) => [r.query.get('after'), r.query.get('limit')])).toEqual([
      ['0', '1000'],
      ['1000', '1000'],
      ['2000', '1000'],
    ])
    expect(await db.events.count()).toBe(2500)
    // The server's seq is kept, on the row and the event: the declaration rule and the cursor's id need it.
    const rows = await db.events.orderBy('lseq').toArray()
    expect(rows.every((r, i) => r.sync === SyncState.acknowledged && r.seq === i + 1 && r.event.seq === i + 1)).toBe(
      true,
    )
    const cursor = await readSetting(db, 'cursor')
    expect(cursor.lastSeq).toBe(2500)
    expect(cursor.lastId).toBe(rows[2499]!.id)
    expect(cursor.lastSyncAt).not.toBeNull()
  })

  it('moves the cursor only together with the stored events', async () => {
    const { db, server, engine, next } = await world()
    server.seed(makeEvents(2000))
    let created = 0
    const diskFull = () => {
      if (++created > 1000) throw new Error('QuotaExceededError')
    }
    db.events.hook('creating', diskFull)
    await engine.start()
    await engine.idle()
    expect(engine.snapshot().status).toMatchObject({ kind: 'error', problem: 'storage' })
    expect((await readSetting(db, 'cursor')).lastSeq).toBe(1000)
    expect(await db.events.count()).toBe(1000)

    db.events.hook('creating').unsubscribe(diskFull)
    await next()
    expect((await readSetting(db, 'cursor')).lastSeq).toBe(2000)
    expect(await db.events.count()).toBe(2000)
  })

  it('starts again from the beginning when pointed at another server', async () => {
    const { db, server, engine } = await world()
    server.seed(makeEvents(3))
    await engine.start()
    await engine.idle()
    expect((await readSetting(db, 'cursor')).lastSeq).toBe(3)
    await engine.configure({ serverUrl: 'https://other.example', token: TEST_TOKEN })
    await engine.idle()
    expect(server.pulls().at(-1)!.query.get('after')).toBe('0')
    expect(await readSetting(db, 'sync')).toEqual({ serverUrl: 'https://other.example', token: TEST_TOKEN })
  })
})

describe('sync engine: stream', { timeout: TIMEOUT }, () => {
  it('asks for a runbook catalogue refresh after each good round and at once on the stream’s runbook notice', async () => {
    const asked: string[] = []
    const { server, engine, when, next } = await world({
      stream: true,
      onRunbooks: (settings) => asked.push(settings.token),
    })
    await engine.start()
    await when((s) => s.streaming)
    expect(asked).toEqual([TEST_TOKEN]) // the first round, at start
    server.streams[0]!.write('event: runbooks\ndata: published dhcp 2\n\n')
    await vi.waitFor(() => expect(asked).toHaveLength(2))
    await next() // the 30 s interval round
    expect(asked).toHaveLength(3)
  })

  it('stores streamed events as they arrive, split anywhere, with heartbeats between', async () => {
    const { db, server, engine, when } = await world({ stream: true })
    await engine.start()
    await engine.idle()
    await when((s) => s.streaming)
    expect(server.streams).toHaveLength(1)
    expect(server.streams[0]!.after).toBe(0)

    const fromOthers = makeEvents(5)
    server.seed(fromOthers)
    const text = sseFor(server.stored.slice(0, 3)) + ': heartbeat\n\n' + sseFor(server.stored.slice(3))
    const stream = server.streams[0]!
    for (let i = 0; i < text.length; i += 37) stream.write(text.slice(i, i + 37))
    await when(async () => (await readSetting(db, 'cursor')).lastSeq === 5)
    expect(await db.events.count()).toBe(5)
  })

  it('reconnects after the server closes the stream, resuming after the cursor', async () => {
    const { server, timers, engine, when } = await world({ stream: true })
    server.seed(makeEvents(4))
    await engine.start()
    await engine.idle()
    await when((s) => s.streaming)
    expect(server.streams).toHaveLength(1)
    expect(server.streams[0]!.after).toBe(4)
    server.streams[0]!.close()
    await timers.waitFor(500)
    timers.fire(500)
    await when((s) => s.streaming)
    expect(server.streams).toHaveLength(2)
    expect(server.streams[1]!.after).toBe(4)
  })

  it('closes the stream when the page is hidden or the network goes, and opens it again after', async () => {
    const { server, engine, when } = await world({ stream: true })
    await engine.start()
    await engine.idle()
    await when((s) => s.streaming)
    engine.setVisible(false)
    expect(engine.snapshot().streaming).toBe(false)
    engine.setVisible(true)
    await engine.idle()
    await when((s) => s.streaming)
    expect(server.streams).toHaveLength(2)
    engine.setOnline(false)
    expect(engine.snapshot()).toMatchObject({ streaming: false, status: { kind: 'offline' } })
  })
})

describe('sync engine: a read-only token', { timeout: TIMEOUT }, () => {
  it('pulls, says Read-only, keeps local entries pending, and does not push again by itself', async () => {
    const { db, server, engine, next, when } = await world()
    server.readOnly = true
    const theirs = makeIncident(2)
    server.seed(theirs)
    const mine = makeEvent('log.entry')
    await appendLocalEvents(db, [mine])
    await engine.start()
    await when((s) => s.status.kind === 'read-only')
    expect(server.pushes()).toHaveLength(1)
    expect((await readSetting(db, 'cursor')).lastSeq).toBe(2)
    expect(await pendingCount(db)).toBe(1)
    expect((await db.events.get(mine.id))!.sync).toBe(SyncState.pending)

    // New local writes and the regular interval pull, but never push again.
    await appendLocalEvents(db, [makeEvent('log.entry')])
    engine.nudge()
    await next()
    await next()
    expect(server.pushes()).toHaveLength(1)
    expect(server.pulls().length).toBeGreaterThanOrEqual(3)
    expect(engine.snapshot().status.kind).toBe('read-only')
    expect(await pendingCount(db)).toBe(2)
  })

  it('"Sync now" asks again, and sends everything once the token can write', async () => {
    const { db, server, engine, when } = await world()
    server.readOnly = true
    await appendLocalEvents(db, makeEvents(3))
    await engine.start()
    await when((s) => s.status.kind === 'read-only')
    server.readOnly = false
    expect((await engine.syncNow()).kind).toBe('synced')
    expect(await pendingCount(db)).toBe(0)
    expect(server.stored).toHaveLength(3)
  })
})

describe('sync engine: a wiped phone', { timeout: TIMEOUT }, () => {
  it('deletes its events, settings and drafts at its next contact, and says so', async () => {
    const { db, server, engine, when } = await world()
    const storage = new Map<string, string>()
    const local = {
      get length() {
        return storage.size
      },
      key: (i: number) => [...storage.keys()][i] ?? null,
      getItem: (k: string) => storage.get(k) ?? null,
      setItem: (k: string, v: string) => void storage.set(k, v),
      removeItem: (k: string) => void storage.delete(k),
    } satisfies KeyStore
    const saved = (globalThis as { localStorage?: unknown }).localStorage
    Object.defineProperty(globalThis, 'localStorage', { value: local, configurable: true })
    try {
      local.setItem('command-post:draft:log', 'half-typed entry')
      local.setItem('other-app', 'kept')
      await appendLocalEvents(db, makeEvents(2))
      server.fail({ kind: 'status', status: 401, code: 'wiped' })
      await engine.start()
      await when((s) => s.status.kind === 'wiped')
      expect(await db.events.count()).toBe(0)
      expect(await readSetting(db, 'sync')).toBeNull()
      expect(local.getItem('command-post:draft:log')).toBeNull()
      expect(local.getItem('other-app')).toBe('kept')
      expect(local.getItem('command-post:wiped')).not.toBeNull()
      // Nothing syncs afterwards, whatever happens.
      engine.nudge()
      engine.setOnline(false)
      engine.setOnline(true)
      await engine.idle()
      expect(engine.snapshot().status.kind).toBe('wiped')
    } finally {
      Object.defineProperty(globalThis, 'localStorage', { value: saved, configurable: true })
    }
  })
})
