import { describe, expect, it } from 'vitest'
import { DANA, LEE, SAM, incidentScript, utcClock } from '../../tests/fixtures/incident-script'
import { draftUpdate, refreshUpdateDraft, updateDraftLines } from './briefing'
import { CATEGORY_LABELS, describeEvent, LOG_KIND_LABELS } from './describe'
import { activityByPerson, incidentMarkdown } from './export'
import { foldIncident } from './fold'
import { timelineItems } from './timeline'

describe('incident.edited: correct and escalate', () => {
  it('says a severity change with the severity it replaced and who made it', () => {
    const s = incidentScript({ severity: 3 })
    const edit = s.add('incident.edited', { severity: 1 }, SAM)
    const state = s.fold()
    expect(state.severity).toBe(1)
    expect(state.severityChanges.get(edit.id)).toEqual({ from: 3, to: 1 })
    expect(describeEvent(edit, state)).toBe('Severity SEV3 → SEV1 by Sam')
    // Its own row on the Timeline, not buried in the incident's other facts.
    expect(timelineItems(state).map((i) => i.text)).toContain('Severity SEV3 → SEV1 by Sam')
  })

  it('chains severity changes, each from the one before, and names other fields beside it', () => {
    const s = incidentScript({ severity: 3 })
    const up = s.add('incident.edited', { severity: 2 }, SAM)
    const down = s.add('incident.edited', { severity: 4, title: 'Printer queue slow', location: '' }, LEE)
    const state = s.fold()
    expect(describeEvent(up, state)).toBe('Severity SEV3 → SEV2 by Sam')
    expect(describeEvent(down, state)).toBe(
      'Severity SEV2 → SEV4 by Lee; edited title “Printer queue slow”, location cleared',
    )
  })

  it('keeps per-field last writer wins whatever order the edits arrive in', () => {
    const s = incidentScript({ severity: 3, location: 'Gym' })
    s.add('incident.edited', { severity: 1 }, SAM)
    s.add('incident.edited', { location: 'Library' }, LEE)
    const reversed = foldIncident([...s.events].reverse())!
    expect(reversed).toMatchObject({ severity: 1, location: 'Library' })
  })
})

describe('task.edited', () => {
  it('changes text, kind and owner per field; an empty owner means nobody', () => {
    const s = incidentScript()
    s.add('task.added', { taskId: 'TASK000001', text: 'Call vendor', kind: 'followup', owner: 'Lee' })
    s.add('task.edited', { taskId: 'TASK000001', kind: 'bug' }, SAM)
    const edit = s.add('task.edited', { taskId: 'TASK000001', owner: '' }, LEE)
    const state = s.fold()
    expect(state.tasks.get('TASK000001')).toMatchObject({ text: 'Call vendor', kind: 'bug', owner: undefined })
    expect(describeEvent(edit, state)).toBe('Task edited (Call vendor): no owner')
  })

  it('waits for its task when it arrives first (sync order)', () => {
    const s = incidentScript()
    const added = s.add('task.added', { taskId: 'TASK000001', text: 'Call vendor', kind: 'followup' })
    s.add('task.edited', { taskId: 'TASK000001', text: 'Call the switch vendor' })
    const withoutTask = s.events.filter((e) => e.id !== added.id)
    expect(foldIncident(withoutTask)!.tasks.size).toBe(0)
    expect(foldIncident([...s.events].reverse())!.tasks.get('TASK000001')!.text).toBe('Call the switch vendor')
  })
})

describe('one label per concept', () => {
  it('calls an observation "Seen" on the Timeline, in the document export and in the activity log', () => {
    const s = incidentScript()
    s.add('log.entry', { text: 'Smoke from rack B', kind: 'observation' }, LEE)
    s.add('task.added', { taskId: 'TASK000001', text: 'Replace the PSU', kind: 'followup' })
    const state = s.fold()
    expect(LOG_KIND_LABELS.observation).toBe('Seen')
    expect(CATEGORY_LABELS.observation).toBe('Seen')
    const md = incidentMarkdown(state, { now: s.now, timeZone: 'UTC' })
    expect(md).toContain('Lee (Seen): Smoke from rack B')
    expect(md).not.toMatch(/observation/i)
    // Task kinds in words, never the stored name.
    expect(md).toContain('Task (Follow-up): Replace the PSU')
    expect(md).not.toContain('followup')
    const lee = activityByPerson(state).find((p) => p.name === 'Lee')!
    expect(lee.items.map((i) => i.text)).toEqual(['Seen: Smoke from rack B'])
    expect(
      activityByPerson(state)
        .find((p) => p.name === DANA.name)!
        .items.map((i) => i.text),
    ).toContain('Task (Follow-up): Replace the PSU')
  })
})

describe('the update draft as a template', () => {
  const ctx = (now: number, nextDueMinutes: number, audience = '') => ({
    now,
    nextDueMinutes,
    audience,
    formatTime: utcClock,
  })

  it('says the next-update time the form chose, and names the audience', () => {
    const s = incidentScript()
    const state = s.fold()
    expect(draftUpdate(state, ctx(s.now, 1))).toContain('Next update by 09:01.')
    const lines = updateDraftLines(state, ctx(s.now, 30, 'Principals'))
    expect(lines.heading).toBe('Update for Principals: Core switch down — Active.')
    expect(lines.next).toBe('Next update by 09:30.')
  })

  it('regenerates lines still as generated and keeps every line the person typed or changed', () => {
    const s = incidentScript({ summary: 'No network in building B' })
    const state = s.fold()
    const before = updateDraftLines(state, ctx(s.now, 30))
    const typed = [
      before.heading,
      'Affected: building B only, the rest of the school is fine',
      before.doing,
      before.next,
      'Call the help desk on 555-0100.',
    ].join('\n')
    s.add('incident.status', { status: 'mitigated' })
    const after = updateDraftLines(s.fold(), ctx(s.now, 5, 'Principals'))
    expect(refreshUpdateDraft(typed, before, after).split('\n')).toEqual([
      'Update for Principals: Core switch down — Mitigated.',
      'Affected: building B only, the rest of the school is fine',
      'What we are doing: A workaround is in place; we are fixing the cause.',
      'Next update by 09:05.',
      'Call the help desk on 555-0100.',
    ])
  })
})
