import 'fake-indexeddb/auto'
import { afterEach, describe, expect, it, vi } from 'vitest'
import { freshApp, reopenApp } from '../../tests/fixtures/app'
import { makeEvent } from '../../tests/fixtures/events'
import { storeRemoteEvents } from '../db/events'
import type { EventType, PayloadOf } from '../domain/events'
import { formatHlc } from '../domain/hlc'
import { effectScope } from 'vue'
import { useIncident } from '../composables/useIncident'
import { useIncidentsStore } from './incidents'

afterEach(() => useIncidentsStore().stop())

let later = 0

/** Another phone's event, stamped after everything this phone wrote (the fixture clock is in the past). */
function remote<T extends EventType>(type: T, payload: Partial<PayloadOf<T>>, incidentId: string) {
  const ms = Date.now() + 60_000 + later++
  return makeEvent(type, payload, {
    incidentId,
    hlc: formatHlc({ ms, counter: 0, node: 'other-phone' }),
    at: new Date(ms).toISOString(),
  })
}

/** A phone with one active incident and one resolved one, with a sub-incident of the resolved one. */
async function phoneWithHistory() {
  const world = await freshApp()
  const store = useIncidentsStore()
  const ids = {
    active: await declare('Core switch down', 1),
    resolved: await declare('Printer queue stuck', 3),
    sub: '',
  }
  ids.sub = await declare('Library printer', 4, ids.resolved)
  await store.record(ids.resolved, 'log.entry', { text: 'toner replaced', kind: 'action' })
  for (const id of [ids.sub, ids.resolved]) await store.record(id, 'incident.status', { status: 'resolved' })
  await store.catchUp()
  return { ...world, ids }

  async function declare(title: string, severity: 1 | 2 | 3 | 4, parentId?: string): Promise<string> {
    const r = await store.declare({ title, severity, ...(parentId ? { parentId } : {}) })
    if (!r.ok) throw new Error(r.reason)
    return r.value
  }
}

describe('incidents store: start from summaries', () => {
  it('after a reload, lists every incident but folds only the ones not resolved', async () => {
    const { dbName, ids } = await phoneWithHistory()
    await reopenApp(dbName)
    const store = useIncidentsStore()
    expect(store.list.map((o) => o.title)).toEqual(['Core switch down', 'Printer queue stuck', 'Library printer'])
    expect(store.incidents.map((s) => s.id)).toEqual([ids.active])
    expect(store.incident(ids.resolved)).toBeUndefined()
    expect(store.overview(ids.resolved)!.status).toBe('resolved')
    // Sub-incidents come from the overviews: the parent need not be folded.
    expect(store.children(ids.resolved).map((c) => c.title)).toEqual(['Library printer'])
  })

  it('folds a resolved incident when it is opened, and keeps it', async () => {
    const { dbName, ids } = await phoneWithHistory()
    await reopenApp(dbName)
    const store = useIncidentsStore()
    await store.hold(ids.resolved)
    const state = store.incident(ids.resolved)!
    expect([...state.entries.values()].map((e) => e.text)).toEqual(['toner replaced'])
    expect(state.status).toBe('resolved')
    expect(store.eventsOf(ids.resolved)).toHaveLength(3)
    // Opening it twice reads it once.
    await store.hold(ids.resolved)
    expect(store.incident(ids.resolved)).toBe(state)
  })

  it('keeps the overview of a resolved incident current when events arrive for it, without holding it', async () => {
    const { dbName, db, ids } = await phoneWithHistory()
    await reopenApp(dbName)
    const store = useIncidentsStore()
    const edit = remote('incident.edited', { title: 'Printer queue stuck (all floors)' }, ids.resolved)
    await storeRemoteEvents(db, [edit])
    await store.catchUp()
    expect(store.overview(ids.resolved)!.title).toBe('Printer queue stuck (all floors)')
    expect(store.incident(ids.resolved)).toBeUndefined()
    // Written for the next start.
    expect((await db.summaries.get(ids.resolved))!.overview!.title).toBe('Printer queue stuck (all floors)')
    await reopenApp(dbName)
    expect(useIncidentsStore().overview(ids.resolved)!.title).toBe('Printer queue stuck (all floors)')
  })

  it('holds a resolved incident another phone reopened, so My roles and reminders see it', async () => {
    const { dbName, db, ids } = await phoneWithHistory()
    await reopenApp(dbName)
    const store = useIncidentsStore()
    await storeRemoteEvents(db, [remote('incident.status', { status: 'active' }, ids.resolved)])
    await store.catchUp()
    expect(store.incident(ids.resolved)!.status).toBe('active')
    expect(store.incidents.map((s) => s.id).sort()).toEqual([ids.active, ids.resolved].sort())
  })

  it('folds a resolved incident before writing to it, so nothing of it is lost', async () => {
    const { dbName, ids } = await phoneWithHistory()
    await reopenApp(dbName)
    const store = useIncidentsStore()
    const r = await store.record(ids.resolved, 'log.entry', { text: 'one more note', kind: 'note' })
    expect(r.ok).toBe(true)
    expect([...store.incident(ids.resolved)!.entries.values()].map((e) => e.text)).toEqual([
      'toner replaced',
      'one more note',
    ])
  })

  it('folds again at start an incident whose events were stored while no tab wrote summaries', async () => {
    const { dbName, db, ids } = await phoneWithHistory()
    useIncidentsStore().stop()
    // The service worker's sync stores an event with no page open: the summary is behind.
    await storeRemoteEvents(db, [remote('incident.edited', { severity: 1 }, ids.resolved)])
    await reopenApp(dbName)
    const store = useIncidentsStore()
    expect(store.overview(ids.resolved)!.severity).toBe(1)
    await store.catchUp()
    // The watermark caught up: the next start reads summaries only.
    expect((await db.kv.get('summaries-lseq'))!.value).toBe((await db.kv.get('lseq'))!.value)
  })

  it('a phone whose summaries are behind (history stored with no tab open) folds it at start but holds only what is active', async () => {
    const { dbName, db, ids } = await phoneWithHistory()
    useIncidentsStore().stop()
    // 300 incidents another phone declared, every third still active, stored by the service worker's sync.
    const history: string[] = []
    const events = []
    for (let i = 0; i < 300; i++) {
      const id = `history-${String(i).padStart(3, '0')}`
      history.push(id)
      events.push(remote('incident.declared', { title: `Old incident ${i}`, severity: 3 }, id))
      events.push(remote('log.entry', { text: `what was done ${i}`, kind: 'action' }, id))
      if (i % 3) events.push(remote('incident.status', { status: 'resolved' }, id))
    }
    await storeRemoteEvents(db, events)
    await reopenApp(dbName)
    const store = useIncidentsStore()
    await store.catchUp()
    expect(store.list).toHaveLength(303)
    const active = history.filter((_, i) => i % 3 === 0)
    expect(store.incidents.map((s) => s.id).sort()).toEqual([ids.active, ...active].sort())
    expect(store.incident(history[1]!)).toBeUndefined()
    expect(store.overview(history[1]!)).toMatchObject({ title: 'Old incident 1', status: 'resolved' })
    // Its overview is written: the next start reads it, not its events.
    expect((await db.summaries.get(history[1]!))!.overview!.status).toBe('resolved')
    expect((await db.kv.get('summaries-lseq'))!.value).toBe((await db.kv.get('lseq'))!.value)
    // Opened, it is folded from its events like any other resolved one.
    await store.hold(history[1]!)
    expect([...store.incident(history[1]!)!.entries.values()].map((e) => e.text)).toEqual(['what was done 1'])
  })

  it('opening a resolved incident (useIncident, as IncidentView does) folds it: undefined, then its state', async () => {
    const { dbName, ids } = await phoneWithHistory()
    await reopenApp(dbName)
    const scope = effectScope()
    const incident = scope.run(() => useIncident({ id: ids.resolved }))!
    expect(incident.value).toBeUndefined()
    await vi.waitFor(() => expect(incident.value?.title).toBe('Printer queue stuck'))
    expect([...incident.value!.entries.values()].map((e) => e.text)).toEqual(['toner replaced'])
    scope.stop()
  })
})
