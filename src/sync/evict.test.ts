// Scoped sync's eviction and widening (src/sync/evict.ts) against the real server (buildApp with its
// projection, through inject) and IndexedDB (fake-indexeddb).
import { afterEach, describe, expect, it } from 'vitest'
import { createTestApp, injectFetch, type TestApp } from '../../server/test-support'
import { IncidentProjection } from '../../server/incidents/projection'
import { openSqliteStore } from '../../server/store/sqlite'
import type { Actor, IncidentEvent } from '../domain/events'
import { formatHlc } from '../domain/hlc'
import { newId } from '../domain/ids'
import { makeEvent } from '../../tests/fixtures/events'
import { ManualTimers } from '../../tests/fixtures/timers'
import { CommandPostDatabase, SyncState } from '../db/database'
import { appendLocalEvents, eventsOfIncident } from '../db/events'
import { readSetting, writeSetting } from '../db/settings'
import { createSyncApi, type FetchLike, type SyncApi } from './api'
import { fetchArchivedIncident } from './archived'
import { createSyncEngine, type SyncEngine } from './engine'
import { reconcileScope } from './evict'

const DAY = 24 * 60 * 60 * 1000
/** The phone's clock: the window of resolved incidents held in full ends here. */
const NOW = Date.UTC(2026, 10, 20, 9)
const OTHER: Actor = { id: 'other-phone', name: 'Riley Other' }
const ME: Actor = { id: 'dana-new-phone', name: 'Dana Whitfield' }

let n = 0
let tick = 0
const closers: (() => Promise<void> | void)[] = []
afterEach(async () => {
  for (const c of closers.splice(0).reverse()) await c()
})

/** A stamp `ms` on the clock, by `by`. */
function stamp(incidentId: string, ms: number, by: Actor = OTHER) {
  return { incidentId, actor: by, at: new Date(ms).toISOString(), hlc: formatHlc({ ms, counter: tick++, node: by.id }) }
}

/** Events of one incident from `startMs`, a second apart: a declaration, two notes, resolved when asked. */
function incident(title: string, startMs: number, options: { resolved?: boolean; by?: Actor } = {}) {
  const id = newId()
  const by = options.by ?? OTHER
  const events: IncidentEvent[] = [
    makeEvent('incident.declared', { title, severity: 3 }, stamp(id, startMs, by)),
    makeEvent('log.entry', { text: `${title}: what we found`, kind: 'note' }, stamp(id, startMs + 1000, by)),
    makeEvent('log.entry', { text: `${title}: what we did`, kind: 'action' }, stamp(id, startMs + 2000, by)),
  ]
  if (options.resolved) events.push(makeEvent('incident.status', { status: 'resolved' }, stamp(id, startMs + 3000, by)))
  return events
}

/** A server with a projection, and a phone (its own database and clock) that has not joined yet. */
async function world() {
  const store = openSqliteStore(':memory:')
  const projection = new IncidentProjection({ store, pollMs: 0 })
  await projection.start()
  const t: TestApp = await createTestApp({ store, incidents: projection })
  closers.push(() => t.close())
  const fetchFn: FetchLike = (input, init) => injectFetch(t.app)(input, init)
  const db = new CommandPostDatabase(`evict-${Date.now()}-${n++}`)
  closers.push(() => db.close())
  await writeSetting(db, 'profile', { name: ME.name, deviceId: ME.id })
  await writeSetting(db, 'sync', { serverUrl: '', token: t.token })
  const api: SyncApi = createSyncApi({ serverUrl: '', token: t.token }, fetchFn)
  const timers = new ManualTimers()
  timers.clock = NOW
  const open = new Set<string>()
  let engine: SyncEngine | null = null
  const phone = {
    db,
    api,
    fetchFn,
    timers,
    /** Incidents a page holds open (what the Web Locks would say). */
    open,
    /** Join with the sync engine (another one than before, when called again) and wait for its first round (and the eviction run after it). */
    async join(through: FetchLike = fetchFn) {
      engine?.stop()
      engine = createSyncEngine({
        db,
        fetch: through,
        timers,
        random: () => 0,
        stream: false,
        runbookCompiler: null,
        openIncidents: async () => open,
      })
      closers.push(() => engine?.stop())
      await engine.start()
      await engine.idle()
    },
    async syncNow() {
      await engine!.syncNow()
      await engine!.idle()
    },
    /** One eviction run at the phone's clock, as the engine's leader runs it. */
    reconcile(openIncidents: () => Promise<ReadonlySet<string> | null> = async () => open) {
      return reconcileScope(db, api, { now: () => timers.clock, openIncidents })
    },
  }
  const push = async (events: readonly IncidentEvent[]) => {
    const res = await t.app.inject({ method: 'POST', url: '/api/events', headers: t.auth, payload: { events } })
    expect(res.json().accepted).toHaveLength(events.length)
  }
  /** The server's own overview of one incident, as `GET /api/summaries` serves it. */
  const serverSummary = async (id: string) => (await api.summaries(0, 1000)).summaries.find((s) => s.id === id)
  return { t, phone, push, serverSummary }
}

const heldIds = async (db: CommandPostDatabase) => new Set((await db.events.toArray()).map((r) => r.incidentId))

describe('scoped sync: eviction', { timeout: 60_000 }, () => {
  it('turns a resolved incident past the window, every event acknowledged, into the server’s overview', async () => {
    const { phone, push, serverSummary } = await world()
    const old = incident('Projector fault', NOW - 20 * DAY, { resolved: true })
    await push(old)
    const id = old[0]!.incidentId
    await phone.join()
    expect(await heldIds(phone.db)).toEqual(new Set([id]))
    // A note this phone wrote to it, sent and acknowledged: nothing of it is lost by evicting.
    const mine = makeEvent('log.entry', { text: 'spare lamp ordered', kind: 'note' }, stamp(id, NOW - 19 * DAY, ME))
    await appendLocalEvents(phone.db, [mine])
    // Sent and pulled back in one round, as before any eviction run (which follows a good round).
    await phone.syncNow()
    expect((await phone.db.events.get(mine.id))?.sync).toBe(SyncState.acknowledged)

    await writeSetting(phone.db, 'holdResolvedDays', 10)
    expect(await phone.reconcile()).toEqual({ evicted: [id], fetched: [] })
    expect(await heldIds(phone.db)).toEqual(new Set())
    const row = await phone.db.summaries.get(id)
    const server = await serverSummary(id)
    // Folded here from the same events as the server's: the same overview, and the seq it reflects.
    expect(row?.remote).toEqual({ lastSeq: server!.lastSeq })
    expect(row?.overview).toEqual(server!.overview)
    expect(await readSetting(phone.db, 'scopeReconciled')).toEqual({ at: NOW, days: 10 })

    // Opened again: fetched, with every event, this phone's note too.
    await fetchArchivedIncident(phone.db, id, phone.fetchFn)
    const again = await eventsOfIncident(phone.db, id)
    expect(again.map((e) => e.id).sort()).toEqual([...old, mine].map((e) => e.id).sort())
    expect((await phone.db.summaries.get(id))?.remote).toBeUndefined()
  })

  it('never evicts one with an event pending or refused, an active one, its own, one inside the window or one open', async () => {
    const { phone, push } = await world()
    const pending = incident('Pending note', NOW - 20 * DAY, { resolved: true })
    const refused = incident('Refused note', NOW - 20 * DAY, { resolved: true })
    const active = incident('Long-running migration', NOW - 200 * DAY)
    const own = incident('Dana’s outage', NOW - 20 * DAY, { resolved: true, by: { id: 'old-phone', name: ME.name } })
    const recent = incident('Yesterday’s outage', NOW - DAY, { resolved: true })
    const open = incident('On screen', NOW - 20 * DAY, { resolved: true })
    const evictable = incident('Evictable', NOW - 20 * DAY, { resolved: true })
    await push([...pending, ...refused, ...active, ...own, ...recent, ...open, ...evictable])
    await phone.join()
    const id = (events: IncidentEvent[]) => events[0]!.incidentId
    expect((await heldIds(phone.db)).size).toBe(7)

    // Written on this phone, not sent yet (stamped inside the incident's old activity, so only the rule keeps it).
    await appendLocalEvents(phone.db, [
      makeEvent('log.entry', { text: 'not sent', kind: 'note' }, stamp(id(pending), NOW - 20 * DAY + 5000, ME)),
    ])
    const wasRefused = makeEvent('log.entry', { text: 'refused', kind: 'note' }, stamp(id(refused), NOW - 20 * DAY, ME))
    await appendLocalEvents(phone.db, [wasRefused])
    await phone.db.events.update(wasRefused.id, { sync: SyncState.rejected, rejectedReason: 'read-only' })
    phone.open.add(id(open))
    await writeSetting(phone.db, 'holdResolvedDays', 10)

    // Without Web Locks nobody can say what is open: nothing is evicted.
    expect((await phone.reconcile(async () => null)).evicted).toEqual([])
    expect((await phone.reconcile()).evicted).toEqual([id(evictable)])
    expect(await heldIds(phone.db)).toEqual(
      new Set([id(pending), id(refused), id(active), id(own), id(recent), id(open)]),
    )
  })

  it('the engine runs it after a good round when the window changes, and otherwise once a day', async () => {
    const { phone, push } = await world()
    const old = incident('Projector fault', NOW - 20 * DAY, { resolved: true })
    const id = old[0]!.incidentId
    await push(old)
    await phone.join()
    expect(await readSetting(phone.db, 'scopeReconciled')).toEqual({ at: NOW, days: 30 })
    expect(await heldIds(phone.db)).toEqual(new Set([id]))

    await writeSetting(phone.db, 'holdResolvedDays', 10)
    await phone.syncNow()
    expect((await phone.db.summaries.get(id))?.remote).toBeDefined()

    // Opened again: held until a day after the last run.
    await fetchArchivedIncident(phone.db, id, phone.fetchFn)
    phone.timers.clock = NOW + DAY - 1
    await phone.syncNow()
    expect(await heldIds(phone.db)).toEqual(new Set([id]))
    phone.timers.clock = NOW + DAY
    await phone.syncNow()
    expect(await heldIds(phone.db)).toEqual(new Set())
  })
})

describe('scoped sync: a phone that pulled everything', { timeout: 60_000 }, () => {
  it('is scoped from its cursor once the server serves summaries, and then evicts like one that joined by them', async () => {
    const { phone, push, serverSummary } = await world()
    const old = incident('Projector fault', NOW - 60 * DAY, { resolved: true })
    const active = incident('Long-running migration', NOW - 200 * DAY)
    await push([...old, ...active])
    const [oldId, activeId] = [old[0]!.incidentId, active[0]!.incidentId]
    // An older server (no summaries route): the phone pulls the whole log, as every phone did before scoped sync.
    const olderServer: FetchLike = (input, init) =>
      String(input).includes('/api/summaries')
        ? Promise.resolve(new Response(JSON.stringify({ error: 'not_found' }), { status: 404 }))
        : phone.fetchFn(input, init)
    await phone.join(olderServer)
    expect(await heldIds(phone.db)).toEqual(new Set([oldId, activeId]))
    expect(await readSetting(phone.db, 'scope')).toBeNull()
    const pulledTo = (await readSetting(phone.db, 'cursor')).lastSeq
    expect(pulledTo).toBe(old.length + active.length)

    // The server is upgraded: the next start scopes the phone where it is, and the resolved incident leaves it.
    await phone.join()
    expect(await readSetting(phone.db, 'scope')).toEqual({ upTo: pulledTo })
    expect(await heldIds(phone.db)).toEqual(new Set([activeId]))
    const row = await phone.db.summaries.get(oldId)
    expect(row?.overview).toEqual((await serverSummary(oldId))!.overview)

    // And it follows the log as a scoped phone: a note on the archived incident updates its overview.
    await push([makeEvent('log.entry', { text: 'lamp replaced', kind: 'note' }, stamp(oldId, NOW - DAY / 2))])
    await phone.syncNow()
    const updated = await phone.db.summaries.get(oldId)
    expect(updated?.remote).toEqual({ lastSeq: pulledTo + 1 })
    expect(updated?.overview?.eventCount).toBe(old.length + 1)
  })
})

describe('scoped sync: widening the window', { timeout: 60_000 }, () => {
  it('fetches the remote incidents now inside it, at the next round', async () => {
    const { phone, push } = await world()
    const archived = incident('Old printer outage', NOW - 90 * DAY, { resolved: true })
    const older = incident('Older still', NOW - 400 * DAY, { resolved: true })
    await push([...archived, ...older])
    await phone.join()
    expect(await heldIds(phone.db)).toEqual(new Set())

    await writeSetting(phone.db, 'holdResolvedDays', 120)
    await phone.syncNow()
    const id = archived[0]!.incidentId
    expect(await heldIds(phone.db)).toEqual(new Set([id]))
    expect((await eventsOfIncident(phone.db, id)).map((e) => e.id).sort()).toEqual(archived.map((e) => e.id).sort())
    expect((await phone.db.summaries.get(id))?.remote).toBeUndefined()
    expect((await phone.db.summaries.get(older[0]!.incidentId))?.remote).toBeDefined()
  })
})
