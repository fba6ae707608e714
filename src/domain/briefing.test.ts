import { describe, expect, it } from 'vitest'
import {
  KIM,
  LEE,
  MIN,
  SAM,
  T0,
  coreSwitchWithRoles,
  incidentScript,
  utcClock,
} from '../../tests/fixtures/incident-script'
import { clip, draftBriefing, draftUpdate } from './briefing'

function midIncident() {
  const s = coreSwitchWithRoles()
  s.add('log.entry', { text: 'Power-cycled core-sw-1.', kind: 'action' }, LEE)
  s.add('log.entry', { text: 'Fail over to the backup uplink', kind: 'decision' })
  s.add(
    'change.made',
    { changeId: 'CHANGE0001', system: 'core-sw-1', what: 'shut port 24', revert: 'no shut port 24' },
    LEE,
  )
  s.add('change.made', { changeId: 'CHANGE0002', system: 'dhcp', what: 'lease 1h', revert: 'lease 8d' }, LEE)
  s.add('change.reverted', { changeId: 'CHANGE0002' }, LEE)
  s.wait(10)
  s.add(
    'update.posted',
    { body: 'Building B offline; working on it.', audience: 'Principals', nextDueMinutes: 20 },
    KIM,
  )
  s.add('task.added', {
    taskId: 'TASK000001',
    text: 'Need one more person at the high school',
    kind: 'staffing',
    owner: 'Sam',
  })
  s.add('task.added', { taskId: 'TASK000002', text: 'Done already', kind: 'other' })
  s.add('task.done', { taskId: 'TASK000002' })
  return s
}

describe('draftBriefing', () => {
  it('drafts the ICS 201 picture: situation, affected, roles, open changes, last update, next due, open tasks', () => {
    const s = midIncident()
    const posted = Date.parse(s.events.find((e) => e.type === 'update.posted')!.at)
    const text = draftBriefing(s.fold(), {
      now: posted + 5 * MIN,
      formatTime: utcClock,
      children: [{ id: 'CHILD00001', title: 'Gym Wi-Fi', severity: 3, status: 'active' }],
    })
    expect(text.split('\n')).toEqual([
      'Situation: Core switch down — Active, SEV2 · major, declared 09:00 by Dana.',
      'Affected: High school — No network in building B.',
      'Roles: Incident commander Dana; Ops Lee; Comms Kim; Planning (commander).',
      'Open changes (1):',
      '- core-sw-1: shut port 24 — revert: no shut port 24',
      'Last update 09:10 by Kim to Principals: “Building B offline; working on it.”',
      'Next update in 15 min (due 09:30).',
      'Open tasks (1):',
      '- [Staffing] Need one more person at the high school (owner Sam)',
      'Sub-incidents still open (1):',
      '- SEV3 Gym Wi-Fi (active)',
      'Recent decisions (1):',
      '- 09:00 Fail over to the backup uplink',
    ])
  })

  it('says plainly when there is nothing yet', () => {
    const text = draftBriefing(incidentScript({ title: 'Printer jam' }).fold(), {
      now: T0 + 45 * MIN,
      formatTime: utcClock,
    })
    expect(text).toContain('Affected: Printer jam')
    expect(text).toContain('Open changes: none')
    expect(text).toContain('No stakeholder update posted yet.')
    expect(text).toContain('Update overdue by 14 min (due 09:30).')
    expect(text).toContain('Open tasks: none')
    expect(text).not.toContain('Recent decisions')
  })

  it('lists kept changes apart from open ones and omits resolved cadence', () => {
    const s = midIncident()
    s.add('log.entry', { text: 'Keep', kind: 'decision', keptChangeId: 'CHANGE0001' }, SAM)
    s.add('incident.status', { status: 'resolved' })
    const text = draftBriefing(s.fold(), { now: T0, formatTime: utcClock })
    expect(text).toContain('Open changes: none')
    expect(text).toContain('Kept on purpose (1):\n- core-sw-1: shut port 24 — revert: no shut port 24')
    expect(text).toContain('Resolved')
    expect(text).not.toMatch(/Next update|overdue/)
  })
})

describe('draftUpdate', () => {
  it('says what is affected, what we are doing and when the next update comes', () => {
    const s = midIncident()
    const text = draftUpdate(s.fold(), { now: T0 + 15 * MIN, nextDueMinutes: 30, formatTime: utcClock })
    expect(text).toBe(
      [
        'Core switch down — Active.',
        'Affected: High school — No network in building B.',
        'What we are doing: Fail over to the backup uplink; Power-cycled core-sw-1.',
        'Next update by 09:45.',
      ].join('\n'),
    )
  })

  it('leaves out struck work and speaks of the workaround once mitigated', () => {
    const s = incidentScript({ title: 'Wi-Fi down' })
    const wrong = s.add('log.entry', { text: 'Rebooted the wrong AP', kind: 'action' })
    s.add('log.amended', { entryId: wrong.id, struck: true })
    expect(draftUpdate(s.fold(), { now: T0, nextDueMinutes: 15, formatTime: utcClock })).toContain(
      'What we are doing: Investigating the cause.',
    )
    s.add('incident.status', { status: 'mitigated' })
    expect(draftUpdate(s.fold(), { now: T0, nextDueMinutes: 15, formatTime: utcClock })).toContain(
      'A workaround is in place; we are fixing the cause.',
    )
    s.add('incident.status', { status: 'resolved' })
    expect(draftUpdate(s.fold(), { now: T0, nextDueMinutes: 15, formatTime: utcClock })).toContain(
      'no further updates are planned',
    )
  })

  it('clips long text to one line', () => {
    expect(clip('a\n b   c', 10)).toBe('a b c')
    expect(clip('x'.repeat(20), 10)).toBe(`${'x'.repeat(9)}…`)
  })
})
