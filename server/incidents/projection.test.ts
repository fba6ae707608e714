/** The server's view of incidents agrees with a full fold, however events arrive. */
import { afterEach, describe, expect, it } from 'vitest'
import type { Actor } from '../../src/domain/events'
import { foldIncident } from '../../src/domain/fold'
import { formatHlc } from '../../src/domain/hlc'
import { newId } from '../../src/domain/ids'
import { publicIncident } from '../../src/domain/status-page'
import { makeEvent } from '../../tests/fixtures/events'
import { ingest } from '../events/ingest'
import { openSqliteStore } from '../store/sqlite'
import type { Store } from '../store/types'
import { IncidentProjection } from './projection'

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
