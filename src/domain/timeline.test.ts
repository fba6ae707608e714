import { describe, expect, it } from 'vitest'
import { DANA, KIM, LEE, SAM, incidentScript } from '../../tests/fixtures/incident-script'
import { applyEvent } from './fold'
import { NO_FILTER, filterTimeline, forgetTimeline, timelineActors, timelineItems } from './timeline'
import type { TimelineCategory } from './describe'

function busyIncident() {
  const s = incidentScript()
  s.add('log.entry', { text: 'Closet is dark', kind: 'observation' }, LEE)
  const decision = s.add('log.entry', { text: 'Fail over to backup uplink', kind: 'decision' })
  s.add('role.assigned', { role: 'ops', person: { id: LEE.id, name: 'Lee' }, briefing: 'b' })
  s.add('change.made', { changeId: 'CHANGE0001', system: 'core-sw-1', what: 'shut port 24', revert: 'no shut' }, LEE)
  s.add('change.reverted', { changeId: 'CHANGE0001', note: 'uplink back' }, LEE)
  s.add('update.posted', { body: 'Working on it', audience: 'Principals' }, KIM)
  s.add('task.added', { taskId: 'TASK000001', text: 'Order spare PSU', kind: 'followup' }, SAM)
  s.add('task.done', { taskId: 'TASK000001' }, SAM)
  s.add('incident.status', { status: 'mitigated' })
  const note = s.add('log.entry', { text: 'Coffee arrived', kind: 'note' }, SAM)
  s.add('log.amended', { entryId: decision.id, pinned: true })
  return { s, decision, note }
}

describe('timeline', () => {
  it('lists every event but amendments, newest first, naming changes and tasks', () => {
    const { s } = busyIncident()
    const items = timelineItems(s.fold())
    expect(items.map((i) => i.category)).toEqual([
      'note',
      'status',
      'task',
      'task',
      'update',
      'change',
      'change',
      'role',
      'decision',
      'observation',
      'incident',
    ])
    expect(items.map((i) => i.text)).toContain('Reverted change on core-sw-1: shut port 24 — uplink back')
    expect(items.map((i) => i.text)).toContain('Task done: Order spare PSU')
    expect(items.map((i) => i.text)).toContain('Ops → Lee (with a handoff briefing)')
    expect(items.find((i) => i.category === 'decision')!.entry!.pinned).toBe(true)
  })

  it('filters by kind and by person, pinned entries first', () => {
    const { s } = busyIncident()
    const items = timelineItems(s.fold())
    const all = filterTimeline(items, NO_FILTER)
    expect(all.pinned.map((i) => i.text)).toEqual(['Fail over to backup uplink'])
    expect(all.rest).toHaveLength(items.length - 1)
    const kinds = (...c: TimelineCategory[]) => ({ categories: new Set(c), actorId: null })
    expect(filterTimeline(items, kinds('change')).rest.map((i) => i.event.type)).toEqual([
      'change.reverted',
      'change.made',
    ])
    expect(filterTimeline(items, kinds('action', 'note')).rest.map((i) => i.text)).toEqual(['Coffee arrived'])
    expect(filterTimeline(items, kinds('role')).rest).toHaveLength(1)
    expect(filterTimeline(items, kinds('status')).rest.map((i) => i.text)).toEqual(['Status → mitigated'])
    const sams = filterTimeline(items, { categories: new Set(), actorId: SAM.id })
    expect(sams.rest.map((i) => i.text)).toEqual([
      'Coffee arrived',
      'Task done: Order spare PSU',
      'Task (Follow-up): Order spare PSU',
    ])
    expect(sams.pinned).toEqual([])
    expect(filterTimeline(items, { categories: new Set(['decision']), actorId: DANA.id }).pinned).toHaveLength(1)
  })

  it('shows corrections and strikes on the entry, never dropping the original', () => {
    const s = incidentScript()
    const e = s.add('log.entry', { text: 'Rebooted core-sw-2', kind: 'action' })
    s.add('log.amended', { entryId: e.id, text: 'Rebooted core-sw-1', reason: 'wrong switch' }, SAM)
    s.add('log.amended', { entryId: e.id, struck: true, reason: 'did not happen' })
    const [item] = timelineItems(s.fold())
    expect(item!.text).toBe('Rebooted core-sw-1')
    expect(item!.entry).toMatchObject({ originalText: 'Rebooted core-sw-2', struck: true })
    expect(item!.entry!.history.map((h) => h.reason)).toEqual(['wrong switch', 'did not happen'])
  })

  it('lists the people in the incident by name', () => {
    const { s } = busyIncident()
    expect(timelineActors(s.fold()).map((a) => a.name)).toEqual(['Dana', 'Kim', 'Lee', 'Sam'])
  })

  it('builds and filters 10,000 entries in linear time', () => {
    const s = incidentScript()
    for (let i = 0; i < 10_000; i++)
      s.add('log.entry', { text: `entry ${i}`, kind: i % 2 ? 'action' : 'observation' }, i % 3 ? DANA : LEE)
    const state = s.fold()
    const started = performance.now()
    const items = timelineItems(state)
    const filtered = filterTimeline(items, { categories: new Set(['action']), actorId: LEE.id })
    const elapsed = performance.now() - started
    expect(items).toHaveLength(10_001)
    expect(filtered.rest.length).toBe(1667)
    // Generous bound for a slow CI machine; quadratic work would take seconds.
    expect(elapsed).toBeLessThan(500)
  })

  it('hands out the same item while its event shows the same, a new one when an entry changes', () => {
    const s = incidentScript()
    const first = s.add('log.entry', { text: 'First', kind: 'note' })
    s.add('log.entry', { text: 'Second', kind: 'note' })
    const state = s.fold()
    const before = timelineItems(state)
    applyEvent(state, s.add('log.entry', { text: 'Third', kind: 'note' }))
    const after = timelineItems(state)
    expect(after.map((i) => i.text)).toEqual(['Third', 'Second', 'First', before[2]!.text])
    expect(after[1]).toBe(before[0])
    expect(after[2]).toBe(before[1])
    applyEvent(state, s.add('log.amended', { entryId: first.id, text: 'First, corrected', reason: 'typo' }))
    const amended = timelineItems(state)
    expect(amended[2]).not.toBe(after[2])
    expect(amended[2]!.text).toBe('First, corrected')
    expect(amended[1]).toBe(after[1])
  })

  it('extends the last answer when events are only appended, and rebuilds on an amendment', () => {
    const s = incidentScript()
    s.add('log.entry', { text: 'One', kind: 'note' })
    const state = s.fold()
    const first = timelineItems(state)
    expect(timelineItems(state)).toBe(first)
    applyEvent(
      state,
      s.add('change.made', { changeId: 'CHANGE0009', system: 'dns', what: 'ttl 60', revert: 'ttl 3600' }),
    )
    applyEvent(state, s.add('log.entry', { text: 'Two', kind: 'note' }))
    const appended = timelineItems(state)
    expect(appended.map((i) => i.text)).toEqual([
      'Two',
      'Change on dns: ttl 60 (revert: ttl 3600)',
      'One',
      first[1]!.text,
    ])
    expect(appended.slice(2)).toEqual(first)
    expect(appended).toEqual(timelineItems(s.fold()))
    applyEvent(state, s.add('change.reverted', { changeId: 'CHANGE0009' }))
    expect(timelineItems(state)[0]!.text).toBe('Reverted change on dns: ttl 60')
  })
})

describe('timeline: who sent it', () => {
  it('shows "logged by ‹sender› for ‹actor›" where the sender is another person, the actor alone otherwise', () => {
    const s = incidentScript()
    const scribed = s.add('log.entry', { text: 'Commander: evacuate B', kind: 'decision' }, SAM)
    const own = s.add('log.entry', { text: 'On site', kind: 'action' }, KIM)
    s.events[s.events.indexOf(scribed)] = { ...scribed, receivedFrom: { tokenId: 2, name: 'Dana' } }
    s.events[s.events.indexOf(own)] = { ...own, receivedFrom: { tokenId: 3, name: 'kim' } }
    const [ownItem, scribedItem, declared] = timelineItems(s.fold())
    expect(scribedItem!.by).toBe('logged by Dana for Sam')
    expect(ownItem!.by).toBe('Kim')
    expect(declared!.by).toBe('Dana')
  })

  it('shows a sender learned later, when the event is swapped for the copy that names it', () => {
    const s = incidentScript()
    const e = s.add('log.entry', { text: 'first', kind: 'note' }, SAM)
    s.add('log.entry', { text: 'second', kind: 'note' }, SAM)
    const state = s.fold()
    expect(timelineItems(state)[1]!.by).toBe('Sam')
    state.events[state.events.indexOf(e)] = { ...e, receivedFrom: { tokenId: 9, name: 'Lee' } }
    forgetTimeline(state)
    expect(timelineItems(state)[1]!.by).toBe('logged by Lee for Sam')
  })
})
