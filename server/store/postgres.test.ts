/**
 * What only PostgreSQL has to prove (the rest is the contract suite): seq
 * assignment serialised across connections, changes reaching every node by
 * LISTEN/NOTIFY, and the database going away: pushes answer 503
 * storage_unavailable with Retry-After, never acknowledge what was not
 * stored, and work again by themselves once PostgreSQL is back.
 *
 * The outage is made by a TCP proxy between the server and PostgreSQL that
 * the test closes (connections reset, new ones refused: what a stopped
 * PostgreSQL gives), and by pg_terminate_backend (what a PostgreSQL shutting
 * down sends), so it runs as well on CI's shared PostgreSQL as on an embedded one.
 */
import { connect, createServer, type Server, type Socket } from 'node:net'
import pg from 'pg'
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest'
import { makeEvent, makeEvents } from '../../tests/fixtures/events'
import type { IncidentEvent } from '../../src/domain/events'
import { canonicalJson } from '../events/canonical'
import { createTestApp, type TestApp } from '../test-support'
import { testDatabase, type TestDatabase } from '../test-postgres'
import { runExclusive } from './exclusive'
import { NO_QUOTA, StorageUnavailableError, UNAVAILABLE_RETRY_AFTER_S } from './faults'
import { StorageHealth } from './health'
import { openPostgresStore, pgFault, SEQ_LOCK, type PostgresStore } from './postgres'
import type { AppendPreparation, NewEvent, StoreChange } from './types'

vi.setConfig({ testTimeout: 60_000, hookTimeout: 180_000 })

let database: TestDatabase
beforeAll(async () => {
  database = await testDatabase()
})
afterAll(() => database?.drop())

const opened: { close(): Promise<void> }[] = []
afterEach(async () => {
  for (const s of opened.splice(0).reverse()) await s.close()
})

async function admin(): Promise<pg.Client> {
  const client = new pg.Client({ connectionString: database.url })
  await client.connect()
  opened.push({ close: () => client.end() })
  return client
}

beforeEach(async () => {
  const c = new pg.Client({ connectionString: database.url })
  await c.connect()
  await c.query('DROP SCHEMA public CASCADE; CREATE SCHEMA public')
  await c.end()
})

async function store(url = database.url): Promise<PostgresStore> {
  const s = await openPostgresStore(url, { poolSize: 4, connectTimeoutMs: 2_000 })
  opened.push(s)
  return s
}

const toNew = (e: IncidentEvent): NewEvent => ({
  id: e.id,
  incidentId: e.incidentId,
  type: e.type,
  hlc: e.hlc,
  body: canonicalJson(e),
})

/** Resolves once `check` is true, checking after each turn of the event loop and every `everyMs`. */
async function until(check: () => Promise<boolean> | boolean, everyMs = 20): Promise<void> {
  while (!(await check())) await new Promise((r) => setTimeout(r, everyMs))
}

/** Another node in the middle of an append: it holds the seq lock and has written `seq`, not committed. */
async function appendLeftOpen(seq: number): Promise<{ other: pg.Client; held: IncidentEvent }> {
  const other = await admin()
  await other.query('BEGIN')
  await other.query('SELECT pg_advisory_xact_lock($1)', [SEQ_LOCK])
  const held = makeEvent('log.entry')
  await other.query(
    'INSERT INTO events (seq, id, incident_id, hlc, body, received_at) VALUES ($1, $2, $3, $4, $5, $6)',
    [seq, held.id, held.incidentId, held.hlc, canonicalJson(held), 'now'],
  )
  return { other, held }
}

/**
 * Starts `append` and resolves once PostgreSQL's own state shows it queued behind an advisory lock;
 * `settled()` tells whether it has finished since.
 */
async function queuedBehindLock<T>(append: () => Promise<T>): Promise<{ answer: Promise<T>; settled: () => boolean }> {
  let settled = false
  const answer = append().finally(() => {
    settled = true
  })
  const watcher = await admin()
  await until(
    async () =>
      (await watcher.query("SELECT 1 FROM pg_locks WHERE locktype = 'advisory' AND NOT granted")).rows.length > 0,
  )
  return { answer, settled: () => settled }
}

/** The next change a store's watch reports that matches `want`. */
function nextChange(s: PostgresStore, want: (c: StoreChange) => boolean): Promise<StoreChange> {
  return new Promise((resolve) => {
    const off = s.watch((c) => {
      if (!want(c)) return
      off()
      resolve(c)
    })
  })
}

describe('bodies', () => {
  it('refuses a body holding the separator its bodies travel joined by, and stores nothing of the batch', async () => {
    const s = await store()
    const [a, b] = [makeEvent('log.entry', { text: 'fine' }), makeEvent('log.entry', { text: 'also fine' })]
    const raw = { ...toNew(b!), body: toNew(b!).body.replace('also fine', 'also\x1efine') }
    await expect(s.appendEvents([toNew(a!), raw])).rejects.toThrow(/not canonical JSON/)
    expect((await s.readEventsAfter(0, 10)).events).toEqual([])
    // Escaped, as canonical JSON writes it, the same character is stored and read back as sent.
    const escaped = makeEvent('log.entry', { text: 'also\x1efine' })
    expect(toNew(escaped).body).toContain('\\u001e')
    await s.appendEvents([toNew(a!), toNew(escaped)])
    expect((await s.readEventsAfter(0, 10)).events.map((e) => e.id)).toEqual([a!.id, escaped.id])
    expect((await s.readEventsAfter(1, 10)).events[0]).toEqual({ ...escaped, seq: 2 })
  })
})

describe('one batch, several senders', () => {
  it('stores each event with its own sender, or none, and the seqs in batch order', async () => {
    const s = await store()
    const [a, b, c, d] = Array.from({ length: 4 }, () => makeEvent('log.entry'))
    const dana = { tokenId: 1, name: 'Dana' }
    const sam = { tokenId: 2, name: 'Sam, "on call"' }
    await s.appendEvents([
      { ...toNew(a!), receivedFrom: dana },
      { ...toNew(b!), receivedFrom: sam },
      toNew(c!),
      { ...toNew(d!), receivedFrom: dana },
    ])
    const read = (await s.readEventsAfter(0, 10)).events
    expect(read.map((e) => [e.id, e.seq, e.receivedFrom])).toEqual([
      [a!.id, 1, dana],
      [b!.id, 2, sam],
      [c!.id, 3, undefined],
      [d!.id, 4, dana],
    ])
  })

  it('refuses an id or clock holding the separator the batch travels joined by', async () => {
    const s = await store()
    const e = toNew(makeEvent('log.entry'))
    await expect(s.appendEvents([{ ...e, hlc: `${e.hlc}\x1e` }])).rejects.toThrow(/control character/)
    expect((await s.readEventsAfter(0, 10)).events).toEqual([])
  })
})

/** The texts of the statements the store sent while `fn` ran, in order (plain or named). */
async function statementsSent(fn: () => Promise<unknown>): Promise<string[]> {
  const real = pg.Client.prototype.query as (...args: unknown[]) => unknown
  const sent: string[] = []
  const spy = vi.spyOn(pg.Client.prototype, 'query').mockImplementation(function (this: pg.Client, ...args: unknown[]) {
    const text = typeof args[0] === 'string' ? args[0] : (args[0] as { text?: unknown } | undefined)?.text
    if (typeof text === 'string') sent.push(text)
    return real.apply(this, args)
  } as never)
  try {
    await fn()
  } finally {
    spy.mockRestore()
  }
  return sent
}

describe('the read an append makes before the seq lock', () => {
  /** How many reads of what an append needs (APPEND_READ) the store sent while `fn` ran. */
  async function appendReads(fn: () => Promise<unknown>): Promise<number> {
    return (await statementsSent(fn)).filter((text) => text.includes('AS existing')).length
  }
  /** Resolves once the early read is done, so what is stored after it is news to it. */
  const readDone = (prepared: AppendPreparation) => (prepared as unknown as { read: Promise<unknown> }).read

  it('is used when nothing was appended since: no second read under the lock', async () => {
    const s = await store()
    const [a, b] = [makeEvent('log.entry'), makeEvent('log.entry')]
    const reads = await appendReads(async () => {
      const prepared = await s.prepareAppend([a!.id, b!.id], [a!.incidentId, b!.incidentId])
      expect((await s.appendEvents([toNew(a!), toNew(b!)], undefined, prepared)).outcomes).toEqual([
        'accepted',
        'accepted',
      ])
    })
    expect(reads).toBe(1)
    expect((await s.readEventsAfter(0, 10)).events.map((e) => [e.id, e.seq])).toEqual([
      [a!.id, 1],
      [b!.id, 2],
    ])
  })

  it('is read again when another node appended in between: what it stored is judged against, not written twice', async () => {
    const [here, there] = [await store(), await store()]
    const declared = makeEvent('incident.declared', { title: 'Core switch down' })
    const second = makeEvent(
      'incident.declared',
      { title: 'Core switch down, again' },
      { incidentId: declared.incidentId },
    )
    const same = makeEvent('log.entry', { text: 'uplink checked' })
    const changed = { ...same, payload: { ...same.payload, text: 'uplink checked twice' } }
    const fresh = makeEvent('log.entry')
    const batch = [toNew(second), toNew(same), toNew(fresh)]
    const prepared = await here.prepareAppend(
      batch.map((e) => e.id),
      batch.map((e) => e.incidentId),
    )
    await readDone(prepared)
    // Another node stores the incident's declaration and the same entry between the read and the lock.
    await there.appendEvents([toNew(declared), toNew(same)])
    const reads = await appendReads(async () => {
      expect((await here.appendEvents(batch, undefined, prepared)).outcomes).toEqual([
        'already_declared',
        'duplicate',
        'accepted',
      ])
    })
    expect(reads).toBe(1)
    // And a changed copy of a stored id is a conflict, as without the early read.
    const again = await here.prepareAppend([changed.id], [changed.incidentId])
    await readDone(again)
    await there.appendEvents([toNew(makeEvent('log.entry'))])
    expect((await here.appendEvents([toNew(changed)], undefined, again)).outcomes).toEqual(['conflict'])
    expect((await here.readEventsAfter(0, 10)).events.map((e) => e.id)).toEqual([
      declared.id,
      same.id,
      fresh.id,
      expect.any(String),
    ])
  })

  it('makes the append one statement when it holds: the lock, the write and COMMIT, no transaction opened', async () => {
    const s = await store()
    const [a, b] = [makeEvent('log.entry'), makeEvent('log.entry')]
    const prepared = await s.prepareAppend([a.id, b.id], [a.incidentId, b.incidentId])
    await readDone(prepared)
    const sent = await statementsSent(() => s.appendEvents([toNew(a), toNew(b)], undefined, prepared))
    expect(sent).toEqual([expect.stringContaining('command_post_append_v1(')])
    expect((await s.readEventsAfter(0, 10)).events.map((e) => [e.id, e.seq])).toEqual([
      [a.id, 1],
      [b.id, 2],
    ])
  })

  it('waits for the seq lock in that one statement too, so N+1 is never visible before N', async () => {
    const s = await store()
    const mine = makeEvent('log.entry')
    const prepared = await s.prepareAppend([mine.id], [mine.incidentId])
    await readDone(prepared)
    const { other, held } = await appendLeftOpen(1)
    const append = await queuedBehindLock(() => s.appendEvents([toNew(mine)], undefined, prepared))
    expect(append.settled()).toBe(false)
    expect((await s.readEventsAfter(0, 10)).events).toEqual([])
    await other.query('COMMIT')
    // Judged against seq 0, it found seq 1 under the lock: written nothing, then appended after it.
    expect(await append.answer).toEqual({ outcomes: ['accepted'], lastSeq: 2 })
    expect((await s.readEventsAfter(0, 10)).events.map((e) => [e.seq, e.id])).toEqual([
      [1, held.id],
      [2, mine.id],
    ])
  })

  it('keeps seqs gap-free and each event once when stores append at once, each from its own early read', async () => {
    const stores = [await store(), await store(), await store()]
    const batches = stores.map(() => Array.from({ length: 12 }, () => makeEvents(10).map(toNew)))
    // Each store's batches one after another, the three stores side by side: most reads are overtaken.
    const answers = await Promise.all(
      stores.map(async (s, i) => {
        const out = []
        for (const batch of batches[i]!) {
          const prepared = await s.prepareAppend(
            batch.map((e) => e.id),
            batch.map((e) => e.incidentId),
          )
          out.push(await s.appendEvents(batch, undefined, prepared))
        }
        return out
      }),
    )
    for (const answer of answers.flat()) expect(answer.outcomes).toEqual(Array(10).fill('accepted'))
    const stored = (await stores[0]!.readEventsAfter(0, 1000)).events
    expect(stored.map((e) => e.seq)).toEqual(Array.from({ length: 360 }, (_, i) => i + 1))
    expect(new Set(stored.map((e) => e.id))).toEqual(new Set(batches.flat(2).map((e) => e.id)))
    // Each batch's events took consecutive seqs, ending at the lastSeq its append answered.
    const seqOf = new Map(stored.map((e) => [e.id, e.seq]))
    batches.forEach((list, i) =>
      list.forEach((batch, b) =>
        expect(batch.map((e) => seqOf.get(e.id))).toEqual(
          Array.from({ length: 10 }, (_, k) => answers[i]![b]!.lastSeq - 9 + k),
        ),
      ),
    )
  })

  it('is not used for a batch it does not cover, or for another token or day', async () => {
    const s = await store()
    const stored = makeEvent('log.entry')
    await s.appendEvents([toNew(stored)])
    // Nothing is appended after this read, but it does not know `stored` is stored.
    const forOthers = await s.prepareAppend([makeEvent('log.entry').id], [stored.incidentId])
    expect((await s.appendEvents([toNew(stored)], undefined, forOthers)).outcomes).toEqual(['duplicate'])
    const day = { tokenId: 1, day: '2026-12-03', quota: NO_QUOTA }
    const forToday = await s.prepareAppend([stored.id], [stored.incidentId], day)
    const reads = await appendReads(async () => {
      await s.appendEvents([toNew(stored)], { ...day, day: '2026-12-04' }, forToday)
    })
    expect(reads).toBe(1)
  })
})

describe('seq across connections', () => {
  it('shows the hazard the lock prevents: without it, seq N+1 can commit while N is still open', async () => {
    await store()
    const t1 = await admin()
    const t2 = await admin()
    const reader = await admin()
    const [a, b] = [makeEvent('log.entry'), makeEvent('log.entry')]
    const insert = 'INSERT INTO events (seq, id, incident_id, hlc, body, received_at) VALUES ($1, $2, $3, $4, $5, $6)'
    await t1.query('BEGIN')
    await t1.query(insert, [1, a.id, a.incidentId, a.hlc, canonicalJson(a), 'now'])
    await t2.query('BEGIN')
    await t2.query(insert, [2, b.id, b.incidentId, b.hlc, canonicalJson(b), 'now'])
    await t2.query('COMMIT')
    // A reader at cursor 0 now sees 2 without 1, and would move its cursor past 1 for ever.
    expect((await reader.query('SELECT seq FROM events WHERE seq > 0 ORDER BY seq')).rows).toEqual([{ seq: '2' }])
    await t1.query('ROLLBACK')
  })

  it('makes an append wait for the seq lock, so N+1 is never visible before N', async () => {
    const s = await store()
    await s.appendEvents([toNew(makeEvent('log.entry'))])
    const { other, held } = await appendLeftOpen(2)
    const mine = makeEvent('log.entry')
    const append = await queuedBehindLock(() => s.appendEvents([toNew(mine)]))
    expect(append.settled()).toBe(false)
    expect((await s.readEventsAfter(1, 10)).events).toEqual([])
    await other.query('COMMIT')
    expect(await append.answer).toEqual({ outcomes: ['accepted'], lastSeq: 3 })
    expect((await s.readEventsAfter(1, 10)).events.map((e) => [e.seq, e.id])).toEqual([
      [2, held.id],
      [3, mine.id],
    ])
  })
})

describe('changes reach every node', () => {
  it('tells every store watching the database that the log grew, and which tokens were revoked', async () => {
    const nodeA = await store()
    const nodeB = await store()
    // Its first report (on listening) is the log as it is: empty.
    const grew = nextChange(nodeB, (c) => c.kind === 'grew' && c.lastSeq > 0)
    // Both listening before anything is stored: a watch starts its LISTEN connection on first use.
    const ready = await admin()
    await until(
      async () =>
        (await ready.query("SELECT 1 FROM pg_stat_activity WHERE application_name = 'command-post-listen'")).rows
          .length >= 1,
    )
    await nodeA.appendEvents([toNew(makeEvent('log.entry')), toNew(makeEvent('log.entry'))])
    expect(await grew).toEqual({ kind: 'grew', lastSeq: 2 })

    const token = await nodeA.insertToken('Dana', Buffer.alloc(32, 1), 'now')
    const revoked = nextChange(nodeB, (c) => c.kind === 'revoked')
    await nodeA.revokeTokens('Dana', 'later')
    expect(await revoked).toEqual({ kind: 'revoked', tokenIds: [token.id] })
  })

  it('reports what other nodes appended, never its own appends (their callers tell them, with the events)', async () => {
    const nodeA = await store()
    const nodeB = await store()
    const changes: StoreChange[] = []
    nodeA.watch((c) => changes.push(c))
    // Its report on listening: the log as it is, empty.
    await until(() => changes.length > 0)
    for (let i = 0; i < 5; i++) await nodeA.appendEvents([toNew(makeEvent('log.entry')), toNew(makeEvent('log.entry'))])
    await nodeB.appendEvents([toNew(makeEvent('log.entry'))])
    await until(() => changes.some((c) => c.kind === 'grew' && c.lastSeq === 11))
    // After node B's, which was committed later: every one of node A's own NOTIFYs has come back by now.
    for (let i = 0; i < 2; i++) await nodeA.appendEvents([toNew(makeEvent('log.entry'))])
    await nodeB.appendEvents([toNew(makeEvent('log.entry'))])
    await until(() => changes.some((c) => c.kind === 'grew' && c.lastSeq === 14))
    expect(changes).toEqual([
      { kind: 'grew', lastSeq: 0 },
      { kind: 'grew', lastSeq: 11 },
      { kind: 'grew', lastSeq: 14 },
    ])
  })

  it('listens again after its connection is cut, and reports what was stored meanwhile', async () => {
    const nodeA = await store()
    const nodeB = await store()
    const changes: StoreChange[] = []
    nodeB.watch((c) => changes.push(c))
    const a = await admin()
    const listeners = async () =>
      (
        await a.query<{ pid: number }>(
          "SELECT pid FROM pg_stat_activity WHERE application_name = 'command-post-listen' AND datname = current_database()",
        )
      ).rows
    await until(async () => (await listeners()).length === 1)
    const [first] = await listeners()
    await a.query('SELECT pg_terminate_backend($1)', [first!.pid])
    // Stored while nobody listens: no notification reaches node B for it.
    await nodeA.appendEvents([toNew(makeEvent('log.entry'))])
    await until(() => changes.some((c) => c.kind === 'grew' && c.lastSeq === 1))
    const [second] = await listeners()
    expect(second!.pid).not.toBe(first!.pid)
  })
})

/** A TCP proxy to PostgreSQL that the test can take down (resetting its connections) and bring back. */
class Outage {
  private server: Server | null = null
  private readonly sockets = new Set<Socket>()
  port = 0

  constructor(
    private readonly host: string,
    private readonly target: number,
  ) {}

  async up(): Promise<void> {
    const server = createServer((client) => {
      const upstream = connect(this.target, this.host)
      for (const s of [client, upstream]) {
        this.sockets.add(s)
        s.on('close', () => this.sockets.delete(s))
        s.on('error', () => {
          client.destroy()
          upstream.destroy()
        })
      }
      client.pipe(upstream).pipe(client)
    })
    await new Promise<void>((resolve) => server.listen(this.port, '127.0.0.1', resolve))
    const address = server.address()
    this.port = typeof address === 'object' && address ? address.port : 0
    this.server = server
  }

  /** PostgreSQL gone: every connection reset, new ones refused. */
  async down(): Promise<void> {
    const server = this.server
    this.server = null
    for (const s of this.sockets) s.destroy()
    if (server) await new Promise((resolve) => server.close(resolve))
  }

  url(of: string): string {
    const u = new URL(of)
    u.hostname = '127.0.0.1'
    u.port = String(this.port)
    return u.toString()
  }
}

describe('PostgreSQL unreachable', () => {
  let t: TestApp
  let outage: Outage
  afterEach(async () => {
    await outage?.down()
  })

  async function appBehindProxy() {
    const target = new URL(database.url)
    outage = new Outage(target.hostname, Number(target.port || 5432))
    await outage.up()
    const s = await store(outage.url(database.url))
    const storageHealth = new StorageHealth(s, { intervalMs: 0 })
    t = await createTestApp({ store: s, storageHealth })
    opened.unshift({ close: () => t.app.close() })
    return { s, storageHealth }
  }
  const push = (events: readonly IncidentEvent[]) =>
    t.app.inject({ method: 'POST', url: '/api/events', headers: t.auth, payload: { events } })

  it('answers an append whose early read found PostgreSQL gone at once, without waiting for a second connection', async () => {
    const { s } = await appBehindProxy()
    const [e] = makeEvents(1)
    await outage.down()
    const prepared = await s.prepareAppend([e!.id], [e!.incidentId])
    const connect = vi.spyOn(s.pool, 'connect')
    await expect(s.appendEvents([toNew(e!)], undefined, prepared)).rejects.toBeInstanceOf(StorageUnavailableError)
    expect(connect).not.toHaveBeenCalled()
    await outage.up()
    expect(
      (await s.appendEvents([toNew(e!)], undefined, await s.prepareAppend([e!.id], [e!.incidentId]))).outcomes,
    ).toEqual(['accepted'])
  })

  it('answers 503 to an append whose connection is reset while it waits for the seq lock, and the process lives on', async () => {
    const { s } = await appBehindProxy()
    const other = await admin()
    await other.query('BEGIN')
    await other.query('SELECT pg_advisory_xact_lock($1)', [SEQ_LOCK])
    const uncaught = vi.fn()
    process.on('uncaughtException', uncaught)
    try {
      const append = s.appendEvents([toNew(makeEvent('log.entry'))])
      const watcher = await admin()
      await until(
        async () =>
          (await watcher.query("SELECT 1 FROM pg_locks WHERE locktype = 'advisory' AND NOT granted")).rows.length > 0,
      )
      // Reset with its query under way: pg fails the query and emits 'error' on the client, which is checked out.
      await outage.down()
      await expect(append).rejects.toBeInstanceOf(StorageUnavailableError)
      await new Promise((resolve) => setImmediate(resolve))
      expect(uncaught).not.toHaveBeenCalled()
    } finally {
      process.off('uncaughtException', uncaught)
      await other.query('ROLLBACK')
    }
  })

  it('answers pushes 503 storage_unavailable with Retry-After, acknowledges nothing, and recovers by itself', async () => {
    const { storageHealth } = await appBehindProxy()
    const before = makeEvents(3)
    expect((await push(before)).json().accepted).toHaveLength(3)

    await outage.down()
    const refused = makeEvents(2)
    const answer = await push(refused)
    expect(answer.statusCode).toBe(503)
    expect(answer.headers['retry-after']).toBe(String(UNAVAILABLE_RETRY_AFTER_S))
    expect(answer.json().error.code).toBe('storage_unavailable')
    expect(answer.json()).not.toHaveProperty('accepted')
    // Pulls and the health check say so too (the probe found it), never a 500.
    const pull = await t.app.inject({ method: 'GET', url: '/api/events', headers: t.auth })
    expect(pull.statusCode).toBe(503)
    expect(pull.json().error.code).toBe('storage_unavailable')
    await storageHealth.probe()
    const down = await t.app.inject({ method: 'GET', url: '/api/health' })
    expect(down.statusCode).toBe(503)
    expect(down.json()).toMatchObject({ ok: false, reason: 'write_failed' })

    // Back, with no restart of the server: the same push goes through.
    await outage.up()
    const retried = await push(refused)
    expect(retried.statusCode).toBe(200)
    expect(retried.json().accepted).toEqual(refused.map((e) => e.id))
    await storageHealth.probe()
    expect((await t.app.inject({ method: 'GET', url: '/api/health' })).statusCode).toBe(200)
    const all = await t.app.inject({ method: 'GET', url: '/api/events', headers: t.auth })
    expect(all.json().events.map((e: { id: string }) => e.id)).toEqual([...before, ...refused].map((e) => e.id))
  })

  it('answers 503 to a push whose connection is terminated mid-append (PostgreSQL shutting down), then stores it once', async () => {
    await appBehindProxy()
    const a = await admin()
    // Hold the seq lock, so the push waits inside its transaction where we can cut it.
    await a.query('BEGIN')
    await a.query('SELECT pg_advisory_xact_lock($1)', [SEQ_LOCK])
    const events = makeEvents(3)
    const pending = push(events)
    const waiting = async () =>
      (await a.query<{ pid: number }>("SELECT pid FROM pg_locks WHERE locktype = 'advisory' AND NOT granted")).rows
    await until(async () => (await waiting()).length > 0)
    const [{ pid }] = (await waiting()) as [{ pid: number }]
    const other = await admin()
    await other.query('SELECT pg_terminate_backend($1)', [pid])
    const cut = await pending
    expect(cut.statusCode).toBe(503)
    expect(cut.json().error.code).toBe('storage_unavailable')
    expect(cut.headers['retry-after']).toBe(String(UNAVAILABLE_RETRY_AFTER_S))
    await a.query('COMMIT')
    expect((await other.query('SELECT id FROM events')).rows).toEqual([])

    // What a phone does: send the same events again. The pool replaced the dead connection by itself.
    const again = await push(events)
    expect(again.statusCode).toBe(200)
    expect(again.json().accepted).toEqual(events.map((e) => e.id))
    const again2 = await push(events)
    expect(again2.json().duplicate).toEqual(events.map((e) => e.id))
    const { rows } = await other.query<{ n: string }>('SELECT COUNT(*) AS n FROM events')
    expect(rows).toEqual([{ n: '3' }])
  })
})

describe('errors of pg', () => {
  it('calls a lost or refused connection unavailable, a full disk disk_full, and leaves bugs alone', () => {
    const coded = (code: string) => Object.assign(new Error(code), { code })
    expect(pgFault(coded('ECONNREFUSED'))).toBeInstanceOf(StorageUnavailableError)
    expect(pgFault(coded('57P01'))).toBeInstanceOf(StorageUnavailableError)
    expect(pgFault(coded('08006'))).toBeInstanceOf(StorageUnavailableError)
    expect(pgFault(new Error('Connection terminated unexpectedly'))).toBeInstanceOf(StorageUnavailableError)
    expect(pgFault(coded('53100'))).toMatchObject({ reason: 'disk_full' })
    expect(pgFault(coded('25006'))).toMatchObject({ reason: 'read_only' })
    const bug = coded('42601')
    expect(pgFault(bug)).toBe(bug)
  })
})

describe('scheduled work', () => {
  it('lets one node at a time run a job of a name; the others skip it', async () => {
    const nodeA = await store()
    const nodeB = await store()
    let release: () => void = () => {}
    const held = new Promise<void>((resolve) => (release = resolve))
    let started: () => void = () => {}
    const running = new Promise<void>((resolve) => (started = resolve))
    const a = runExclusive(nodeA, 'reminders', async () => {
      started()
      await held
    })
    await running
    let ranOnB = false
    expect(
      await runExclusive(nodeB, 'reminders', async () => {
        ranOnB = true
      }),
    ).toBe(false)
    expect(ranOnB).toBe(false)
    // Another job's name is not held.
    expect(await runExclusive(nodeB, 'email', async () => {})).toBe(true)
    release()
    expect(await a).toBe(true)
    expect(await runExclusive(nodeB, 'reminders', async () => {})).toBe(true)
  })
})
