// Scoped sync against the real server (buildApp with its projection, through inject) and IndexedDB (fake-indexeddb).
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
import { appendLocalEvents, eventsOfIncident, pendingCount } from '../db/events'
import { readSetting, writeSetting } from '../db/settings'
import type { FetchLike } from './api'
import { fetchArchivedIncident } from './archived'
import { createSyncEngine, type SyncEngine } from './engine'

const TIMEOUT = 60_000
const DAY = 24 * 60 * 60 * 1000
/** The phone's clock: the window of resolved incidents held in full ends here. */
const NOW = Date.UTC(2026, 10, 20, 9)
const OTHER: Actor = { id: 'other-phone', name: 'Riley Other' }

let n = 0
const closers: (() => Promise<void> | void)[] = []
afterEach(async () => {
  for (const c of closers.splice(0).reverse()) await c()
})

let tick = 0
/** Events of one incident, stamped from `startMs` a second apart; resolved at the end when asked. */
function incident(title: string, startMs: number, options: { resolved?: boolean; by?: Actor; extra?: number } = {}) {
  const incidentId = newId()
  const by = options.by ?? OTHER
  const stamp = (i: number) => {
    const ms = startMs + i * 1000
    return {
      incidentId,
      actor: by,
      at: new Date(ms).toISOString(),
      hlc: formatHlc({ ms, counter: tick++, node: by.id }),
    }
  }
  const events: IncidentEvent[] = [makeEvent('incident.declared', { title, severity: 3 }, stamp(0))]
  for (let i = 0; i < (options.extra ?? 2); i++)
    events.push(makeEvent('log.entry', { text: `${title} note ${i}`, kind: 'note' }, stamp(1 + i)))
  if (options.resolved) events.push(makeEvent('incident.status', { status: 'resolved' }, stamp(10)))
  return events
}

async function world(options: { projection?: boolean } = {}) {
  const store = openSqliteStore(':memory:')
  const projection = new IncidentProjection({ store, pollMs: 0 })
  await projection.start()
  const t: TestApp = await createTestApp({ store, ...(options.projection === false ? {} : { incidents: projection }) })
  closers.push(() => t.close())
  const requests: string[] = []
  const fetchFn: FetchLike = async (input, init = {}) => {
    requests.push(`${init.method ?? 'GET'} ${input}`)
    return injectFetch(t.app)(input, init)
  }
  const db = new CommandPostDatabase(`scope-${Date.now()}-${n++}`)
  closers.push(() => db.close())
  await writeSetting(db, 'profile', { name: 'Dana Whitfield', deviceId: 'dana-new-phone' })
  const timers = new ManualTimers()
  timers.clock = NOW
  let engine: SyncEngine | null = null
  const phone = {
    db,
    requests,
    fetchFn,
    /** Start syncing with the server's token (a join) and wait for the first round. */
    async join(token = t.token) {
      await writeSetting(db, 'sync', { serverUrl: '', token })
      engine = createSyncEngine({ db, fetch: fetchFn, timers, random: () => 0, stream: false, runbookCompiler: null })
      closers.push(() => engine?.stop())
      await engine.start()
      await engine.idle()
      return engine
    },
    async syncNow() {
      await engine!.syncNow()
    },
  }
  const push = async (events: readonly IncidentEvent[]) => {
    const res = await t.app.inject({ method: 'POST', url: '/api/events', headers: t.auth, payload: { events } })
    expect(res.json().accepted).toHaveLength(events.length)
  }
  return { t, phone, push }
}

const storedIds = async (db: CommandPostDatabase) => new Set((await db.events.toArray()).map((r) => r.incidentId))

describe('scoped sync: a phone joining', { timeout: TIMEOUT }, () => {
  it('holds in full the active, recently resolved, own and undeclared incidents; the archived one only as its overview', async () => {
    const { phone, push } = await world()
    const archived = incident('Old printer outage', NOW - 90 * DAY, { resolved: true })
    const recent = incident('Last week’s outage', NOW - 7 * DAY, { resolved: true })
    const active = incident('Long-running migration', NOW - 200 * DAY)
    const own = incident('Dana’s old outage', NOW - 120 * DAY, {
      resolved: true,
      by: { id: 'dana-old-phone', name: 'Dana Whitfield' },
    })
    const orphan = makeEvent('log.entry', { text: 'declaration never came', kind: 'note' }, { actor: OTHER })
    await push([...archived, ...recent, ...active, ...own, orphan])

    const engine = await phone.join()
    expect(engine.snapshot().status.kind).toBe('synced')
    const held = await storedIds(phone.db)
    expect(held).toEqual(new Set([recent[0]!.incidentId, active[0]!.incidentId, own[0]!.incidentId, orphan.incidentId]))
    const row = await phone.db.summaries.get(archived[0]!.incidentId)
    expect(row?.remote).toEqual({ lastSeq: archived.length })
    expect(row?.overview).toMatchObject({ title: 'Old printer outage', status: 'resolved', eventCount: 4 })
    // The log is followed from where the summaries end: nothing before it was pulled page by page.
    const total = archived.length + recent.length + active.length + own.length + 1
    expect(await readSetting(phone.db, 'cursor')).toMatchObject({ lastSeq: total, lastId: orphan.id })
    expect(phone.requests.filter((r) => r.startsWith('GET /api/events?'))).toEqual([
      `GET /api/events?after=${total}&afterId=${orphan.id}&limit=1000`,
    ])
    expect(await readSetting(phone.db, 'scope')).toEqual({ upTo: total })
  })

  it('keeps the window a setting: with 3 days, last week’s resolved incident is archived too', async () => {
    const { phone, push } = await world()
    const recent = incident('Last week’s outage', NOW - 7 * DAY, { resolved: true })
    await push(recent)
    await writeSetting(phone.db, 'holdResolvedDays', 3)
    await phone.join()
    expect(await storedIds(phone.db)).toEqual(new Set())
    expect((await phone.db.summaries.get(recent[0]!.incidentId))?.remote).toBeDefined()
  })

  it('pulls everything from a server without summaries, as before', async () => {
    const { phone, push } = await world({ projection: false })
    const archived = incident('Old printer outage', NOW - 90 * DAY, { resolved: true })
    await push(archived)
    await phone.join()
    expect(await eventsOfIncident(phone.db, archived[0]!.incidentId)).toHaveLength(archived.length)
    expect(await readSetting(phone.db, 'scope')).toBeNull()
    expect(await phone.db.summaries.count()).toBe(0)
  })
})

describe('scoped sync: nothing the phone wrote is left unsent', { timeout: TIMEOUT }, () => {
  it('pushes what it wrote before joining, and holds those incidents whatever their age', async () => {
    const { t, phone, push } = await world()
    const archived = incident('Old printer outage', NOW - 90 * DAY, { resolved: true })
    await push(archived)
    // Written on this phone while it had no server: an old incident of its own, and a late note to the archived one.
    const mine = incident('Written offline long ago', NOW - 100 * DAY, { resolved: true, by: OTHER })
    const lateNote = makeEvent(
      'log.entry',
      { text: 'late note from this phone', kind: 'note' },
      { incidentId: archived[0]!.incidentId, actor: OTHER },
    )
    await appendLocalEvents(phone.db, [...mine, lateNote])
    expect(await pendingCount(phone.db)).toBe(mine.length + 1)

    await phone.join()
    expect(await pendingCount(phone.db)).toBe(0)
    const stored = await t.store.readIncidentEvents(mine[0]!.incidentId)
    expect(stored.map((e) => e.id)).toEqual(mine.map((e) => e.id))
    // Both incidents hold an event of this phone's: held in full, never made remote.
    expect(await storedIds(phone.db)).toEqual(new Set([mine[0]!.incidentId, archived[0]!.incidentId]))
    expect(await eventsOfIncident(phone.db, archived[0]!.incidentId)).toHaveLength(archived.length + 1)
    expect(await phone.db.summaries.filter((r) => r.remote !== undefined).count()).toBe(0)
  })

  it('keeps its pending events when the server refuses them (read-only): still pending after the join', async () => {
    const { t, phone, push } = await world()
    await push(incident('Old printer outage', NOW - 90 * DAY, { resolved: true }))
    const mine = incident('Written offline long ago', NOW - 100 * DAY, { resolved: true, by: OTHER })
    await appendLocalEvents(phone.db, mine)
    const { token } = await t.tokens.issue('Reader', { readOnly: true })
    await phone.join(token)
    expect(await pendingCount(phone.db)).toBe(mine.length)
    const kept = (await phone.db.events.toArray()).filter((r) => r.incidentId === mine[0]!.incidentId)
    expect(kept.map((r) => r.sync)).toEqual(mine.map(() => SyncState.pending))
    expect((await phone.db.summaries.get(mine[0]!.incidentId))?.remote).toBeUndefined()
  })
})

describe('scoped sync: archived incidents later', { timeout: TIMEOUT }, () => {
  it('opening one fetches its events once and keeps it held (no longer remote)', async () => {
    const { phone, push } = await world()
    const archived = incident('Old printer outage', NOW - 90 * DAY, { resolved: true })
    await push(archived)
    await phone.join()
    expect(await eventsOfIncident(phone.db, archived[0]!.incidentId)).toHaveLength(0)
    await fetchArchivedIncident(phone.db, archived[0]!.incidentId, phone.fetchFn)
    const events = await eventsOfIncident(phone.db, archived[0]!.incidentId)
    expect(events.map((e) => e.id).sort()).toEqual(archived.map((e) => e.id).sort())
    expect(events.every((e) => typeof e.seq === 'number')).toBe(true)
    expect((await phone.db.summaries.get(archived[0]!.incidentId))?.remote).toBeUndefined()
  })

  it('an event of an archived incident updates its overview from the server; reopening it makes it held', async () => {
    const { phone, push } = await world()
    const archived = incident('Old printer outage', NOW - 90 * DAY, { resolved: true })
    await push(archived)
    await phone.join()
    const id = archived[0]!.incidentId
    const stamp = (ms: number) => ({
      incidentId: id,
      actor: OTHER,
      at: new Date(ms).toISOString(),
      hlc: formatHlc({ ms, counter: 0, node: OTHER.id }),
    })
    await push([makeEvent('log.entry', { text: 'post-mortem filed', kind: 'note' }, stamp(NOW - 80 * DAY))])
    await phone.syncNow()
    const row = await phone.db.summaries.get(id)
    expect(row?.remote).toEqual({ lastSeq: archived.length + 1 })
    expect(row?.overview).toMatchObject({ eventCount: archived.length + 1, status: 'resolved' })

    await push([makeEvent('incident.status', { status: 'active' }, stamp(NOW - DAY))])
    await phone.syncNow()
    expect((await phone.db.summaries.get(id))?.remote).toBeUndefined()
    expect(await eventsOfIncident(phone.db, id)).toHaveLength(archived.length + 2)
  })
})
