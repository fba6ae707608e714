import { describe, expect, it } from 'vitest'
import { makeEvent } from '../../tests/fixtures/events'
import { foldIncident } from './fold'
import { newId } from './ids'
import { compareOverviews, foldedAtStart, overviewFromEvents, overviewOf, sameOverview } from './summary'

const MIN = 60_000

function incidentEvents() {
  const incidentId = newId()
  const parentId = newId()
  const on = { incidentId }
  const events = [
    makeEvent('incident.declared', { title: 'Gym wifi down', severity: 2, location: 'Gym', parentId }, on),
    makeEvent('task.added', { taskId: 'TASK000001', text: 'a', kind: 'other' }, on),
    makeEvent('task.added', { taskId: 'TASK000002', text: 'b', kind: 'other' }, on),
    makeEvent('task.done', { taskId: 'TASK000001' }, on),
    makeEvent('change.made', { changeId: 'CHANGE0001', system: 'ap', what: 'reboot', revert: 'none' }, on),
    makeEvent('update.posted', { body: 'Working on it', nextDueMinutes: 20 }, on),
    makeEvent('incident.edited', { title: 'Gym and library wifi down', severity: 1 }, on),
  ]
  return { incidentId, parentId, events }
}

describe('overviewOf', () => {
  it('copies what the list, its filters and the search head read from the folded state', () => {
    const { incidentId, parentId, events } = incidentEvents()
    const state = foldIncident(events)!
    const o = overviewOf(state)
    expect(o).toEqual({
      id: incidentId,
      title: 'Gym and library wifi down',
      severity: 1,
      status: 'active',
      summary: '',
      location: 'Gym',
      parentId,
      declaredAt: events[0]!.at,
      declaredBy: events[0]!.actor,
      lastHlc: events[events.length - 1]!.hlc,
      lastActivityAt: state.lastActivityAt,
      openTasks: 1,
      openChanges: 1,
      nextUpdateDueMs: Date.parse(events[5]!.at) + 20 * MIN,
      eventCount: 7,
    })
    // Plain data: it survives a structured clone (IndexedDB) and JSON unchanged.
    expect(JSON.parse(JSON.stringify(o))).toEqual(o)
    expect(structuredClone(o)).toEqual(o)
  })

  it('has no parentId on a top-level incident, and no update due once resolved', () => {
    const incidentId = newId()
    const o = overviewFromEvents([
      makeEvent('incident.declared', { title: 'Printer', severity: 4 }, { incidentId }),
      makeEvent('incident.status', { status: 'resolved' }, { incidentId }),
    ])!
    expect('parentId' in o).toBe(false)
    expect(o.status).toBe('resolved')
    expect(o.nextUpdateDueMs).toBeNull()
  })

  it('is the same whatever order the events arrive in, and null before the declaration', () => {
    const { events } = incidentEvents()
    expect(overviewFromEvents([...events].reverse())).toEqual(overviewFromEvents(events))
    expect(overviewFromEvents([...events, ...events])).toEqual(overviewFromEvents(events))
    expect(overviewFromEvents(events.slice(1))).toBeNull()
    expect(overviewFromEvents([])).toBeNull()
  })
})

describe('sameOverview', () => {
  const { events } = incidentEvents()
  const o = overviewFromEvents(events)!

  it('compares every field, the declaring actor by value', () => {
    expect(sameOverview(o, structuredClone(o))).toBe(true)
    for (const [k, v] of Object.entries({ title: 'x', openTasks: 9, nextUpdateDueMs: null, parentId: undefined }))
      expect(sameOverview(o, { ...o, [k]: v })).toBe(false)
    expect(sameOverview(o, { ...o, declaredBy: { ...o.declaredBy, name: 'Other' } })).toBe(false)
    const { parentId: _p, ...top } = o
    expect(sameOverview(o, top)).toBe(false)
  })

  it('treats null (no declaration) as equal only to null', () => {
    expect(sameOverview(null, null)).toBe(true)
    expect(sameOverview(o, null)).toBe(false)
    expect(sameOverview(null, o)).toBe(false)
  })
})

describe('compareOverviews', () => {
  it('orders active, mitigated, resolved; then SEV1 first; then latest activity first', () => {
    const rows = [
      { status: 'resolved', severity: 1, lastHlc: 'c' },
      { status: 'active', severity: 2, lastHlc: 'a' },
      { status: 'mitigated', severity: 1, lastHlc: 'a' },
      { status: 'active', severity: 2, lastHlc: 'b' },
      { status: 'active', severity: 1, lastHlc: 'a' },
    ] as const
    expect([...rows].sort(compareOverviews)).toEqual([rows[4], rows[3], rows[1], rows[2], rows[0]])
  })
})

describe('foldedAtStart', () => {
  it('folds every incident that is not resolved, and events that fold to no incident', () => {
    expect(foldedAtStart({ status: 'active' })).toBe(true)
    expect(foldedAtStart({ status: 'mitigated' })).toBe(true)
    expect(foldedAtStart({ status: 'resolved' })).toBe(false)
    expect(foldedAtStart(null)).toBe(true)
  })
})
