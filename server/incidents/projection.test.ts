/** The server's view of incidents agrees with a full fold, however events arrive. */
import { afterEach, describe, expect, it } from 'vitest'
import type { Actor } from '../../src/domain/events'
import { foldIncident } from '../../src/domain/fold'
import { formatHlc } from '../../src/domain/hlc'
import { newId } from '../../src/domain/ids'
import { reminderView } from '../../src/domain/push'
import { publicIncident } from '../../src/domain/status-page'
import { makeEvent } from '../../tests/fixtures/events'
import { ingest } from '../events/ingest'
import { openSqliteStore } from '../store/sqlite'
import type { Store } from '../store/types'
import { APPLY_SLICE, IncidentProjection } from './projection'

const T0 = Date.UTC(2026, 10, 1, 9, 0, 0)
const DANA: Actor = { id: 'dana-phone', name: 'Dana' }
const SAM: Actor = { id: 'sam-phone', name: 'Sam' }
const at = (ms: number, actor = DANA) => ({
  actor,
  hlc: formatHlc({ ms, counter: 0, node: actor.id }),
  at: new Date(ms).toISOString(),
})

let store: Store
afterEach(() => store.close())

/** The store, counting reads of one incident's events (what the projection avoids for an open incident). */
function counting(inner: Store): { store: Store; incidentReads: () => number } {
  let reads = 0
  const wrapped = Object.create(inner) as Store
  wrapped.readIncidentEvents = (id: string) => {
    reads++
    return inner.readIncidentEvents(id)
  }
  return { store: wrapped, incidentReads: () => reads }
}

/** A seeded shuffle (mulberry32), so a failure repeats. */
function shuffled<T>(items: readonly T[], seed: number): T[] {
  let a = seed
  const random = () => {
    a = (a + 0x6d2b79f5) | 0
    let t = Math.imul(a ^ (a >>> 15), 1 | a)
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
  const out = [...items]
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1))
    ;[out[i], out[j]] = [out[j]!, out[i]!]
  }
  return out
}

async function push(events: Parameters<typeof ingest>[1]) {
  await ingest(store, events, undefined, undefined, T0 + 24 * 60 * 60_000)
}

describe('IncidentProjection', () => {
  it('matches a full fold when an offline phone’s older edit arrives after newer ones, and after a resolved incident reopens', async () => {
    store = openSqliteStore(':memory:')
    const projection = new IncidentProjection({ store, pollMs: 0 })
    const id = newId()
    const e = <T extends Parameters<typeof makeEvent>[0]>(type: T, payload: object, ms: number, actor = DANA) =>
      makeEvent(type, payload as never, { incidentId: id, ...at(ms, actor) })
    await push([e('incident.declared', { title: 'Phones', severity: 3 }, T0)])
    await projection.start()
    await push([e('incident.edited', { title: 'Phones down in B' }, T0 + 2000)])
    await projection.refresh()
    // Sam's phone was offline: its edit is older and loses, last writer by hlc.
    await push([e('incident.edited', { title: 'Phones (Sam)', severity: 2 }, T0 + 1000, SAM)])
    await projection.refresh()
    const all = await store.readIncidentEvents(id)
    expect(projection.publicView(id)).toEqual(publicIncident(foldIncident(all)!))
    expect(projection.publicView(id)).toMatchObject({ title: 'Phones down in B', severity: 2 })

    await push([e('incident.status', { status: 'resolved' }, T0 + 3000)])
    await projection.refresh()
    expect(projection.publicView(id)?.status).toBe('resolved')
    await push([e('incident.status', { status: 'active' }, T0 + 4000), e('update.posted', { body: 'Back' }, T0 + 5000)])
    await projection.refresh()
    expect(projection.publicView(id)).toEqual(publicIncident(foldIncident(await store.readIncidentEvents(id))!))
    expect(projection.reminderViews()).toEqual([expect.objectContaining({ id, dueMs: T0 + 5000 + 30 * 60_000 })])
  })

  it('folds an open incident’s late events with what it holds, never reading the store, and agrees with a full fold after every push', async () => {
    store = openSqliteStore(':memory:')
    const { store: watched, incidentReads } = counting(store)
    const projection = new IncidentProjection({ store: watched, pollMs: 0 })
    const id = newId()
    const e = <T extends Parameters<typeof makeEvent>[0]>(type: T, payload: object, ms: number, actor = DANA) =>
      makeEvent(type, payload as never, { incidentId: id, ...at(ms, actor) })
    await push([e('incident.declared', { title: 'Wi-Fi', severity: 3 }, T0)])
    await projection.start()
    const kinds = [
      (i: number) => e('log.entry', { text: `step ${i}`, kind: 'note' }, T0 + 1000 * i, i % 2 ? SAM : DANA),
      (i: number) =>
        e('incident.edited', { title: `Wi-Fi ${i}`, severity: (i % 4) + 1 }, T0 + 1000 * i, i % 3 ? SAM : DANA),
      (i: number) => e('role.assigned', { role: 'comms', person: { name: `P${i}` } }, T0 + 1000 * i),
      (i: number) => e('incident.status', { status: i % 2 ? 'mitigated' : 'active' }, T0 + 1000 * i, SAM),
      (i: number) => e('update.posted', { body: `update ${i}` }, T0 + 1000 * i),
    ]
    const events = Array.from({ length: 60 }, (_, i) => kinds[i % kinds.length]!(i + 1))
    // Four phones' pushes arriving in any order: batches of 1–6 events, each batch in its own order.
    const order = shuffled(events, 17)
    for (let i = 0; i < order.length;) {
      const size = 1 + (i % 6)
      await push(order.slice(i, i + size))
      await projection.refresh()
      i += size
      const full = foldIncident(await store.readIncidentEvents(id))!
      expect(projection.publicView(id)).toEqual(publicIncident(full))
      expect(projection.reminderViews()).toEqual([expect.objectContaining({ id, dueMs: reminderView(full).dueMs })])
    }
    expect(incidentReads()).toBe(0)
  })

  it('applies a large push in slices, letting I/O run between them, and ends where a full fold does', async () => {
    store = openSqliteStore(':memory:')
    const projection = new IncidentProjection({ store, pollMs: 0 })
    const id = newId()
    await push([makeEvent('incident.declared', { title: 'Core switch', severity: 2 }, { incidentId: id, ...at(T0) })])
    await projection.start()
    const count = APPLY_SLICE * 2 + 50
    await push(
      Array.from({ length: count }, (_, i) =>
        makeEvent('log.entry', { text: `step ${i}`, kind: 'note' }, { incidentId: id, ...at(T0 + 1000 * (i + 1)) }),
      ),
    )
    // What I/O waiting meanwhile would see: the events of the incident's state (private) at each turn of the loop.
    const held = () => (projection as unknown as { open: Map<string, { events: unknown[] }> }).open.get(id)!.events
    const seen: number[] = []
    let done = false
    const watch = () => {
      seen.push(held().length)
      if (!done) setImmediate(watch)
    }
    setImmediate(watch)
    await projection.refresh()
    done = true
    // Turns of the loop came while it applied: it held a prefix of the events, never all at once.
    expect(seen.some((n) => n > 1 && n < count + 1)).toBe(true)
    const full = foldIncident(await store.readIncidentEvents(id))!
    expect(projection.publicView(id)).toEqual(publicIncident(full))
    expect(full.events).toHaveLength(count + 1)
  })

  it('starts from a populated log without reading any incident a second time', async () => {
    store = openSqliteStore(':memory:')
    const ids = [newId(), newId(), newId()]
    for (const [n, id] of ids.entries())
      await push([
        makeEvent('log.entry', { text: 'before its declaration', kind: 'note' }, { incidentId: id, ...at(T0 + 5) }),
        makeEvent('incident.declared', { title: `Incident ${n}`, severity: 3 }, { incidentId: id, ...at(T0) }),
        makeEvent('incident.edited', { title: `Renamed ${n}` }, { incidentId: id, ...at(T0 + 10) }),
      ])
    const { store: watched, incidentReads } = counting(store)
    const projection = new IncidentProjection({ store: watched, pollMs: 0 })
    await projection.start()
    expect(incidentReads()).toBe(0)
    for (const id of ids)
      expect(projection.publicView(id)).toEqual(publicIncident(foldIncident(await store.readIncidentEvents(id))!))
  })

  it('waits for a declaration that arrives after its incident’s events', async () => {
    store = openSqliteStore(':memory:')
    const projection = new IncidentProjection({ store, pollMs: 0 })
    await projection.start()
    const id = newId()
    const declared = makeEvent('incident.declared', { title: 'Late', severity: 4 }, { incidentId: id, ...at(T0) })
    await push([makeEvent('log.entry', { text: 'first', kind: 'note' }, { incidentId: id, ...at(T0 + 1) })])
    await projection.refresh()
    expect(projection.publicView(id)).toBeNull()
    await push([declared])
    await projection.refresh()
    expect(projection.publicView(id)?.title).toBe('Late')
  })
})
