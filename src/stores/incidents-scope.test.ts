// The incidents store with archived incidents known by the server's overview only (scoped sync).
import 'fake-indexeddb/auto'
import Dexie from 'dexie'
import { afterEach, describe, expect, it, vi } from 'vitest'
import { IncidentProjection } from '../../server/incidents/projection'
import { openSqliteStore } from '../../server/store/sqlite'
import { createTestApp, injectFetch, type TestApp } from '../../server/test-support'
import { freshApp, reopenApp } from '../../tests/fixtures/app'
import { pastIncident } from '../../tests/fixtures/events'
import { pendingCount } from '../db/events'
import { readSetting, writeSetting } from '../db/settings'
import type { Actor, IncidentEvent } from '../domain/events'
import { createSyncApi, type FetchLike } from '../sync/api'
import { reconcileScope } from '../sync/evict'
import { openIncidents, type OpenLocks } from '../sync/open-incidents'
import { joinScoped } from '../sync/scope'
import { useIncidentsStore } from './incidents'

const DAY = 24 * 60 * 60 * 1000
const OTHER: Actor = { id: 'other-phone', name: 'Riley Other' }
const apps: TestApp[] = []

afterEach(async () => {
  useIncidentsStore().stop()
  vi.unstubAllGlobals()
  for (const t of apps.splice(0)) await t.close()
})

function incident(title: string, startMs: number, resolved: boolean): IncidentEvent[] {
  return pastIncident({ title, entry: `${title}: what we found`, startMs, stepMs: 1000, resolved, actor: OTHER })
}

/** A server with an archived incident and a recent one, and a phone that joined it by summaries. */
async function joined() {
  const store = openSqliteStore(':memory:')
  const projection = new IncidentProjection({ store, pollMs: 0 })
  await projection.start()
  const t = await createTestApp({ store, incidents: projection })
  apps.push(t)
  const archived = incident('Old printer outage', Date.now() - 90 * DAY, true)
  const recent = incident('Projector fault', Date.now() - DAY, true)
  const res = await t.app.inject({
    method: 'POST',
    url: '/api/events',
    headers: t.auth,
    payload: { events: [...archived, ...recent] },
  })
  expect(res.json().accepted).toHaveLength(archived.length + recent.length)
  const online: FetchLike = (input, init) => injectFetch(t.app)(input, init)
  const world = await freshApp()
  const settings = { serverUrl: '', token: t.token }
  await writeSetting(world.db, 'sync', settings)
  expect(await joinScoped(world.db, createSyncApi(settings, online), { now: Date.now })).toBe(true)
  // The running store has read what the join wrote (a reload while it still reads would race it).
  const running = useIncidentsStore()
  await vi.waitFor(() => expect(running.overview(archived[0]!.incidentId)).toBeDefined())
  await running.catchUp()
  return { ...world, online, ids: { archived: archived[0]!.incidentId, recent: recent[0]!.incidentId } }
}

const offline = () => Promise.reject(new TypeError('Failed to fetch'))

// Waits are on state; this only bounds a hang (fake-indexeddb and the in-memory server on a busy machine).
describe('incidents store: archived incidents (scoped sync)', { timeout: 60_000 }, () => {
  it('lists an archived incident from the server’s overview, and folds it only once its log is fetched', async () => {
    const { dbName, online, ids } = await joined()
    await reopenApp(dbName)
    const store = useIncidentsStore()
    expect(store.list.map((o) => o.title).sort()).toEqual(['Old printer outage', 'Projector fault'])
    // The recent one's log is on the phone: it opens offline.
    vi.stubGlobal('fetch', offline)
    await store.hold(ids.recent)
    expect(store.incident(ids.recent)?.status).toBe('resolved')
    expect(store.incident(ids.archived)).toBeUndefined()

    vi.stubGlobal('fetch', online)
    await store.hold(ids.archived)
    const state = store.incident(ids.archived)!
    expect([...state.entries.values()].map((e) => e.text)).toEqual(['Old printer outage: what we found'])
  })

  it('shows an archived incident once its log is fetched, not once it is written (a write can wait behind the sync engine’s)', async () => {
    const { dbName, db, online, ids } = await joined()
    await reopenApp(dbName)
    const store = useIncidentsStore()
    vi.stubGlobal('fetch', online)
    // Another writer holds the events table, as the sync engine's pull does after a join.
    let letGo!: () => void
    const gate = new Promise<void>((resolve) => (letGo = resolve))
    const busy = db.transaction('rw', db.events, () => Dexie.waitFor(gate))
    let kept = false
    const opening = store.hold(ids.archived).then(() => (kept = true))
    await vi.waitFor(() => expect(store.incident(ids.archived)).toBeDefined())
    expect([...store.incident(ids.archived)!.entries.values()].map((e) => e.text)).toEqual([
      'Old printer outage: what we found',
    ])
    // Shown, not yet kept: hold() answers once the events are on the phone.
    expect(kept).toBe(false)
    letGo()
    await busy
    await opening
    expect(await db.events.where('incidentId').equals(ids.archived).count()).toBeGreaterThan(0)
  })

  it('offline, opening one fails with a reason and so does a write to it, nothing stored; after a reload it opens offline once fetched', async () => {
    const { dbName, db, online, ids } = await joined()
    await reopenApp(dbName)
    const store = useIncidentsStore()
    vi.stubGlobal('fetch', offline)
    const why = /^This incident’s log is not on this phone yet, and the server cannot be reached/
    await expect(store.hold(ids.archived)).rejects.toThrow(why)
    await expect(store.record(ids.archived, 'log.entry', { text: 'late note', kind: 'note' })).rejects.toThrow(why)
    expect(await pendingCount(db)).toBe(0)

    vi.stubGlobal('fetch', online)
    await store.hold(ids.archived)
    expect((await store.record(ids.archived, 'log.entry', { text: 'late note', kind: 'note' })).ok).toBe(true)

    vi.stubGlobal('fetch', offline)
    await reopenApp(dbName)
    const again = useIncidentsStore()
    await again.hold(ids.archived)
    expect([...again.incident(ids.archived)!.entries.values()].map((e) => e.text)).toEqual([
      'Old printer outage: what we found',
      'late note',
    ])
  })

  it('follows overviews the sync engine writes while it runs (the remote rows’ counter)', async () => {
    const world = await freshApp()
    const store = useIncidentsStore()
    expect(store.list).toEqual([])
    const { online, ids } = await (async () => {
      // The same join, into this running store's database.
      const storeDb = openSqliteStore(':memory:')
      const projection = new IncidentProjection({ store: storeDb, pollMs: 0 })
      await projection.start()
      const t = await createTestApp({ store: storeDb, incidents: projection })
      apps.push(t)
      const archived = incident('Old printer outage', Date.now() - 90 * DAY, true)
      await t.app.inject({ method: 'POST', url: '/api/events', headers: t.auth, payload: { events: archived } })
      const fetchFn: FetchLike = (input, init) => injectFetch(t.app)(input, init)
      const settings = { serverUrl: '', token: t.token }
      await writeSetting(world.db, 'sync', settings)
      await joinScoped(world.db, createSyncApi(settings, fetchFn), { now: Date.now })
      return { online: fetchFn, ids: { archived: archived[0]!.incidentId } }
    })()
    await vi.waitFor(() => expect(store.overview(ids.archived)?.title).toBe('Old printer outage'))
    expect(store.incident(ids.archived)).toBeUndefined()
    vi.stubGlobal('fetch', online)
    await store.hold(ids.archived)
    expect(store.incident(ids.archived)?.status).toBe('resolved')
  })

  it('eviction leaves alone an incident a page opened; once no page has it, it is evicted, and opens again fetched', async () => {
    const { dbName, db, online, ids } = await joined()
    // The Web Locks API as far as open-incidents.ts uses it: shared locks held until the page goes.
    let held: string[] = []
    const locks: OpenLocks = {
      async request(name, _options, callback) {
        held.push(name)
        return callback()
      },
      async query() {
        return { held: held.map((name) => ({ name })) }
      },
    }
    vi.stubGlobal('navigator', { locks })
    const store = useIncidentsStore()
    await store.hold(ids.recent)
    // Held already (it arrived this session): marked open without holding up the view.
    await vi.waitFor(async () => expect(await openIncidents()).toEqual(new Set([ids.recent])))
    const api = createSyncApi({ serverUrl: '', token: (await readSetting(db, 'sync'))!.token }, online)
    // Ten days on, the recent incident is past the 3-day window: still held while open.
    await writeSetting(db, 'holdResolvedDays', 3)
    const later = { now: () => Date.now() + 10 * DAY, openIncidents: () => openIncidents() }
    expect((await reconcileScope(db, api, later)).evicted).toEqual([])

    await reopenApp(dbName)
    held = [] // the page was closed: the browser let go of its locks
    expect((await reconcileScope(db, api, later)).evicted).toEqual([ids.recent])
    const again = useIncidentsStore()
    await vi.waitFor(() => expect(again.overview(ids.recent)?.title).toBe('Projector fault'))
    vi.stubGlobal('fetch', online)
    await again.hold(ids.recent)
    expect([...again.incident(ids.recent)!.entries.values()].map((e) => e.text)).toEqual([
      'Projector fault: what we found',
    ])
  })

  it('lets go of an incident it held but never opened once the engine evicts it; opening it fetches it again', async () => {
    const { db, online, ids } = await joined()
    // Web Locks that grant at once and tell of none held (no page has it open).
    const locks: OpenLocks = {
      request: async (_name, _options, granted) => granted(),
      query: async () => ({ held: [] }),
    }
    vi.stubGlobal('navigator', { locks })
    const store = useIncidentsStore()
    // It arrived this session: folded here without anyone opening it.
    expect(store.incident(ids.recent)?.status).toBe('resolved')
    const api = createSyncApi({ serverUrl: '', token: (await readSetting(db, 'sync'))!.token }, online)
    await writeSetting(db, 'holdResolvedDays', 3)
    const later = { now: () => Date.now() + 10 * DAY, openIncidents: () => openIncidents() }
    expect((await reconcileScope(db, api, later)).evicted).toEqual([ids.recent])
    await vi.waitFor(() => expect(store.incident(ids.recent)).toBeUndefined())
    expect(store.overview(ids.recent)?.title).toBe('Projector fault')

    vi.stubGlobal('fetch', online)
    expect((await store.record(ids.recent, 'log.entry', { text: 'lamp replaced', kind: 'note' })).ok).toBe(true)
    expect([...store.incident(ids.recent)!.entries.values()].map((e) => e.text)).toEqual([
      'Projector fault: what we found',
      'lamp replaced',
    ])
    expect((await db.summaries.get(ids.recent))?.remote).toBeUndefined()
  })
})
