import { describe, expect, it } from 'vitest'
import { makeEvent } from '../../tests/fixtures/events'
import { foldIncident } from './fold'
import { formatHlc } from './hlc'
import { newId } from './ids'
import { openIncidents, publicIncident, statusLink, statusTokenFromFragment } from './status-page'

const T0 = Date.UTC(2026, 10, 1, 9, 0, 0)
const stamp = (ms: number) => ({ hlc: formatHlc({ ms, counter: 0, node: 'dana' }), at: new Date(ms).toISOString() })

function fold(events: ReturnType<typeof makeEvent>[]) {
  return foldIncident(events)!
}

describe('publicIncident', () => {
  it('keeps the lifecycle times of the incident’s current course: reopening clears them', () => {
    const id = newId()
    const e = (type: Parameters<typeof makeEvent>[0], payload: object, ms: number) =>
      makeEvent(type, payload as never, { incidentId: id, ...stamp(ms) })
    const declared = e('incident.declared', { title: 'Phones', severity: 3 }, T0)
    const mitigated = e('incident.status', { status: 'mitigated' }, T0 + 1000)
    const resolved = e('incident.status', { status: 'resolved' }, T0 + 2000)
    expect(publicIncident(fold([declared, mitigated, resolved]))).toMatchObject({
      status: 'resolved',
      declaredMs: T0,
      mitigatedMs: T0 + 1000,
      resolvedMs: T0 + 2000,
    })
    const reopened = e('incident.status', { status: 'active' }, T0 + 3000)
    expect(publicIncident(fold([declared, mitigated, resolved, reopened]))).toMatchObject({
      status: 'active',
      mitigatedMs: null,
      resolvedMs: null,
    })
  })

  it('has exactly the public fields: no log, roles, changes, tasks, summary, location, authors or audiences', () => {
    const id = newId()
    const state = fold([
      makeEvent(
        'incident.declared',
        { title: 'T', severity: 2, summary: 'S', location: 'L' },
        { incidentId: id, ...stamp(T0) },
      ),
      makeEvent('update.posted', { body: 'B', audience: 'Principals' }, { incidentId: id, ...stamp(T0 + 1) }),
    ])
    const view = publicIncident(state)
    expect(Object.keys(view).sort()).toEqual([
      'declaredMs',
      'id',
      'mitigatedMs',
      'resolvedMs',
      'severity',
      'status',
      'title',
      'updates',
    ])
    expect(view.updates).toEqual([{ id: state.updates[0]!.id, postedMs: T0 + 1, body: 'B' }])
  })

  it('lists open incidents worst first, then newest', () => {
    const base = {
      id: 'a',
      title: 'x',
      status: 'active' as const,
      severity: 3 as const,
      declaredMs: 1,
      mitigatedMs: null,
      resolvedMs: null,
      updates: [],
    }
    const list = openIncidents([
      { ...base, id: 'old-sev3' },
      { ...base, id: 'new-sev3', declaredMs: 2 },
      { ...base, id: 'sev1', severity: 1 },
      { ...base, id: 'done', severity: 1, status: 'resolved' },
    ])
    expect(list.map((i) => i.id)).toEqual(['sev1', 'new-sev3', 'old-sev3'])
  })
})

describe('status links', () => {
  it('carry the token in the fragment only', () => {
    const token = 'a'.repeat(43)
    expect(statusLink('https://cp.example/', token)).toBe(`https://cp.example/status#${token}`)
    expect(statusTokenFromFragment(`#${token}`)).toBe(token)
    expect(statusTokenFromFragment('#short')).toBeNull()
    expect(statusTokenFromFragment(`#${token}<script>`)).toBeNull()
  })
})
