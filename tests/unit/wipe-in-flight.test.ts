/**
 * Issue #11 item 2: "a push in flight is answered, then the wipe". A phone is
 * wiped while a push of its entries is already inside the server (authenticated,
 * not yet stored). Whatever the order, the push is answered before the phone
 * deletes anything, and what the server acknowledged is stored: acknowledged
 * then lost never happens. The other order, the wipe before the push is let
 * in, is answered `401 wiped`: refused, nothing acknowledged, nothing stored.
 *
 * Real parts on both sides: the server is `buildApp` (Fastify + SQLite in
 * memory) listening on 127.0.0.1, the phone the app's sync engine (push, pull,
 * stream) over Node's fetch on its own IndexedDB (fake-indexeddb). The only
 * test hook is a gate in the store's `appendEvents`, which holds a push at the
 * moment it is about to be stored. Waits are on state, never on time.
 */
import { afterEach, describe, expect, it, vi } from 'vitest'
import { createTestApp, type TestApp } from '../../server/test-support'
import { openSqliteStore } from '../../server/store/sqlite'
import { CommandPostDatabase } from '../../src/db/database'
import { appendLocalEvents } from '../../src/db/events'
import type { FetchLike } from '../../src/sync/api'
import { createSyncEngine, type SyncEngine, type SyncSnapshot } from '../../src/sync/engine'
import { makeIncident } from '../fixtures/events'

const TIMEOUT = 60_000
let t: TestApp | null = null
let engine: SyncEngine | null = null
afterEach(async () => {
  engine?.stop()
  engine = null
  await t?.close()
  t = null
})

/** A promise and its resolver. */
function deferred(): { promise: Promise<void>; resolve: () => void } {
  let resolve!: () => void
  const promise = new Promise<void>((r) => (resolve = r))
  return { promise, resolve }
}

async function world() {
  const store = openSqliteStore(':memory:')
  // The gate: while armed, a push that reached the store waits here, authenticated and parsed.
  let gate: { reached: ReturnType<typeof deferred>; open: ReturnType<typeof deferred> } | null = null
  const append = store.appendEvents.bind(store)
  store.appendEvents = async (...args) => {
    if (gate) {
      gate.reached.resolve()
      await gate.open.promise
    }
    return append(...args)
  }
  t = await createTestApp({ store })
  const url = await t.app.listen({ port: 0, host: '127.0.0.1' })
  const phone = await t.tokens.issue('Lee')

  /** What the phone heard, in order. */
  const log: string[] = []
  const acknowledged: string[] = []
  const fetchLogged: FetchLike = async (input, init) => {
    const path = new URL(input).pathname
    const res = await fetch(input, init)
    if (init?.method === 'POST' && path === '/api/events' && res.ok) {
      const body = (await res.clone().json()) as { accepted: string[]; duplicate: string[] }
      acknowledged.push(...body.accepted, ...body.duplicate)
      log.push(`push answered ${res.status}`)
    } else if (init?.method === 'POST') log.push(`push answered ${res.status}`)
    else if (res.status === 401) log.push(`${path === '/api/events/stream' ? 'stream' : 'pull'} answered 401`)
    return res
  }
  const db = new CommandPostDatabase(`wipe-in-flight-${Math.random()}`)
  const snapshots: SyncSnapshot[] = []
  engine = createSyncEngine({
    db,
    fetch: fetchLogged,
    random: () => 0,
    debounceMs: 0,
    onChange: (s) => {
      snapshots.push(s)
      if (s.status.kind === 'wiped' && !log.includes('wiped')) log.push('wiped')
    },
  })
  await engine.configure({ serverUrl: url, token: phone.token })
  return {
    db,
    engine,
    log,
    acknowledged,
    snapshots,
    /** Hold the next push at the store until `open()`. */
    armGate() {
      gate = { reached: deferred(), open: deferred() }
      return gate
    },
    /** Every event the server holds, by id. */
    async storedIds(): Promise<string[]> {
      return (await store.readEventsAfter(0, 1000)).events.map((e) => e.id)
    },
    revokeWithWipe: () => t!.tokens.revoke('Lee', { wipe: true }),
  }
}

describe('a wipe while a push is in flight', { timeout: TIMEOUT }, () => {
  it('answers the push (stored and acknowledged) before the phone deletes anything', async () => {
    const w = await world()
    await w.engine.start()
    // The live stream is how the phone hears of the wipe while its push is still out.
    await vi.waitFor(() => expect(w.engine.snapshot()).toMatchObject({ streaming: true, status: { kind: 'synced' } }), {
      timeout: TIMEOUT,
    })
    const gate = w.armGate()
    const events = makeIncident(3)
    await appendLocalEvents(w.db, events)
    w.engine.nudge()
    await gate.reached.promise

    // Inside the server, authenticated, not yet stored: now the admin revokes with a wipe.
    await w.revokeWithWipe()
    await vi.waitFor(() => expect(w.log).toContain('stream answered 401'), { timeout: TIMEOUT })
    // The phone knows, but waits for its push's answer: nothing deleted yet.
    expect(await w.db.events.count()).toBe(3)
    expect(w.log).not.toContain('wiped')

    gate.open.resolve()
    await vi.waitFor(() => expect(w.engine.snapshot().status.kind).toBe('wiped'), { timeout: TIMEOUT })
    expect(w.log.indexOf('push answered 200')).toBeGreaterThan(w.log.indexOf('stream answered 401'))
    expect(w.log.indexOf('wiped')).toBeGreaterThan(w.log.indexOf('push answered 200'))
    // Acknowledged means stored: the team keeps every entry the phone was told was received.
    expect(w.acknowledged.sort()).toEqual(events.map((e) => e.id).sort())
    expect((await w.storedIds()).sort()).toEqual(w.acknowledged)
    // And then the phone holds nothing.
    expect(await w.db.events.count()).toBe(0)
  })

  it('refuses a push that arrives after the wipe: nothing acknowledged, nothing stored', async () => {
    const w = await world()
    await appendLocalEvents(w.db, makeIncident(2))
    await w.revokeWithWipe()
    await w.engine.start()
    await vi.waitFor(() => expect(w.engine.snapshot().status.kind).toBe('wiped'), { timeout: TIMEOUT })
    expect(w.log).toEqual(['push answered 401', 'wiped'])
    expect(w.acknowledged).toEqual([])
    expect(await w.storedIds()).toEqual([])
    expect(await w.db.events.count()).toBe(0)
  })
})
