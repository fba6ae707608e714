import { describe, expect, it } from 'vitest'
import { DANA, KIM, LEE, MIN, SAM, T0, coreSwitchWithRoles, incidentScript } from '../../tests/fixtures/incident-script'
import { activityByPerson, activityLogMarkdown, exportFileName, incidentMarkdown, md } from './export'

function wholeIncident() {
  const s = coreSwitchWithRoles()
  const first = s.add('log.entry', { text: 'Rebooted core-sw-2', kind: 'action' }, LEE)
  s.add('log.amended', { entryId: first.id, text: 'Rebooted core-sw-1', reason: 'wrong switch' }, LEE)
  const wrong = s.add('log.entry', { text: 'Printer on fire', kind: 'observation' }, SAM)
  s.add('log.amended', { entryId: wrong.id, struck: true, reason: 'wrong incident' }, SAM)
  const key = s.add('log.entry', { text: 'Fail over to the backup uplink', kind: 'decision' })
  s.add('log.amended', { entryId: key.id, pinned: true })
  s.add(
    'change.made',
    { changeId: 'CHANGE0001', system: 'core-sw-1', what: 'shut port 24', revert: 'no shut port 24' },
    LEE,
  )
  s.add(
    'change.made',
    { changeId: 'CHANGE0002', system: 'firewall', what: 'allow 10.2.0.0/16', revert: 'remove rule 7' },
    DANA,
  )
  s.add('change.made', { changeId: 'CHANGE0003', system: 'dhcp', what: 'lease 1h', revert: 'lease 8d' }, LEE)
  s.add('change.reverted', { changeId: 'CHANGE0001', note: 'uplink restored' }, LEE)
  s.add('log.entry', { text: 'Kept change on firewall on purpose', kind: 'decision', keptChangeId: 'CHANGE0002' })
  s.wait(5)
  s.add('update.posted', { body: 'Building B offline; working on it.', audience: 'Principals' }, KIM)
  s.wait(20)
  s.add('update.posted', { body: 'Back on the backup uplink.' }, KIM)
  s.add('task.added', { taskId: 'TASK000001', text: 'Replace the PSU', kind: 'followup', owner: 'Sam' })
  s.add('task.added', { taskId: 'TASK000002', text: 'Bug: *switch* firmware', kind: 'bug' })
  s.add('task.done', { taskId: 'TASK000002' }, SAM)
  s.add('role.assigned', {
    role: 'command',
    person: { id: SAM.id, name: 'Sam' },
    briefing: 'Uplink is on backup.\nKim has comms.',
  })
  s.add('incident.status', { status: 'resolved', note: 'all green' }, SAM)
  return s
}

describe('incidentMarkdown', () => {
  const s = wholeIncident()
  const text = incidentMarkdown(s.fold(), {
    now: T0 + 60 * MIN,
    timeZone: 'UTC',
    children: [{ id: 'CHILD00001', title: 'Gym Wi-Fi', severity: 3, status: 'resolved' }],
  })

  it('heads the document with title, zone, severity, status, declaration and location', () => {
    expect(text.startsWith('# Core switch down\n\nTimes are in UTC (UTC+00:00).\n\n- Severity')).toBe(true)
    expect(text).toContain('- Severity: SEV2 · major')
    expect(text).toMatch(/- Status: Resolved \(since 2026-11-24 09:\d\d \+00:00, Sam\)/)
    expect(text).toContain('- Declared: 2026-11-24 09:00 +00:00 by Dana')
    expect(text).toContain('- Location: High school')
    expect(text).toContain('## Summary\n\nNo network in building B.')
  })

  it('names every role holder, the commander standing in for undelegated ones', () => {
    expect(text).toContain('- Incident commander: Sam — since')
    expect(text).toContain('- Ops: Lee — since')
    expect(text).toContain('- Comms: Kim — since')
    expect(text).toContain('- Planning: Sam (commander)')
  })

  it('lists open, kept and reverted changes with how to revert, and the made-outside-Ops mark', () => {
    expect(text).toContain('### Open (1)\n\n- **dhcp**: lease 1h — to revert: lease 8d')
    expect(text).toContain('### Kept on purpose (1)\n\n- **firewall**: allow 10.2.0.0/16 — to revert: remove rule 7')
    expect(text).toContain('**made outside Ops** (Ops was Lee)')
    expect(text).toMatch(
      /### Reverted \(1\)\n\n- \*\*core-sw-1\*\*: shut port 24 — to revert: no shut port 24 .* — reverted 2026-11-24 09:\d\d \+00:00 by Lee: uplink restored/,
    )
  })

  it('has every update, newest first, and no due time once resolved', () => {
    const first = text.indexOf('Building B offline; working on it.')
    const second = text.indexOf('Back on the backup uplink.')
    expect(first).toBeGreaterThan(0)
    expect(second).toBeGreaterThan(0)
    expect(second).toBeLessThan(first)
    expect(text).toContain('→ Principals')
    expect(text).toContain('Cadence: every 30 min.\n')
  })

  it('has tasks with owner and done marks, escaping Markdown in text', () => {
    expect(text).toContain('## Tasks (1 open)')
    expect(text).toContain('- [ ] Follow-up: Replace the PSU — owner Sam')
    expect(text).toMatch(/- \[x\] Bug: Bug: \\\*switch\\\* firmware \(done .*, Sam\)/)
  })

  it('has sub-incidents, handoff briefings, status history and pinned entries', () => {
    expect(text).toContain('## Sub-incidents\n\n- SEV3 · minor — Gym Wi-Fi: Resolved')
    expect(text).toMatch(
      /### .* · Incident commander → Sam \(from Dana\)\n\n> Uplink is on backup\.\n> Kim has comms\./,
    )
    expect(text).toMatch(/- .* · Sam: active → resolved — all green/)
    expect(text).toMatch(/## Key entries \(pinned\)\n\n- .* · Dana \(Decision\): Fail over to the backup uplink/)
  })

  it('keeps the timeline in order with corrections and strikes visible, originals kept', () => {
    const timeline = text.slice(text.indexOf('## Timeline'))
    expect(timeline).toContain('Lee (Action): Rebooted core-sw-1 _(corrected; originally: “Rebooted core-sw-2”)_')
    expect(timeline).toContain('Sam (Seen): ~~Printer on fire~~ _(struck by Sam: wrong incident)_')
    expect(timeline.indexOf('Declared')).toBeLessThan(timeline.indexOf('Ops → Lee'))
    expect(timeline).toContain('Reverted change on core-sw-1: shut port 24 — uplink restored')
    expect(timeline).not.toContain('Amended a log entry')
  })

  it('shows the due time while open, and the parent of a sub-incident', () => {
    const child = incidentScript({ title: 'Gym Wi-Fi', parentId: 'PARENT0001' })
    const doc = incidentMarkdown(child.fold(), {
      now: T0 + 10 * MIN,
      timeZone: 'UTC',
      parent: { id: 'PARENT0001', title: 'Core switch down', severity: 2, status: 'active' },
    })
    expect(doc).toContain('- Sub-incident of: Core switch down (active)')
    expect(doc).toContain('Next update in 21 min')
    expect(doc).toContain('No changes recorded.')
    expect(doc).toContain('No updates posted.')
    expect(doc).toContain('No tasks.')
  })
})

describe('activity log', () => {
  it('groups what each person did, in order, amendments included', () => {
    const people = activityByPerson(wholeIncident().fold())
    expect(people.map((p) => p.name)).toEqual(['Dana', 'Kim', 'Lee', 'Sam'])
    const lee = people.find((p) => p.name === 'Lee')!
    expect(lee.items.map((i) => i.text)).toEqual([
      'Action: Rebooted core-sw-1',
      'Corrected “Rebooted core-sw-2” to “Rebooted core-sw-1” — wrong switch',
      'Change on core-sw-1: shut port 24 (revert: no shut port 24)',
      'Change on dhcp: lease 1h (revert: lease 8d)',
      'Reverted change on core-sw-1: shut port 24 — uplink restored',
    ])
    const kim = people.find((p) => p.name === 'Kim')!
    expect(kim.items).toHaveLength(2)
  })

  it('treats two devices with one name as one person', () => {
    const s = incidentScript()
    s.add('log.entry', { text: 'from my laptop', kind: 'note' }, { id: 'dev-dana-laptop', name: 'dana' })
    expect(activityByPerson(s.fold()).map((p) => [p.name, p.items.length])).toEqual([['Dana', 2]])
  })

  it('renders one Markdown section per person with the roles they hold', () => {
    const text = activityLogMarkdown(wholeIncident().fold(), { now: T0, timeZone: 'UTC' })
    expect(text.startsWith('# Activity log: Core switch down\n\nExported 2026-11-24 09:00 +00:00.')).toBe(true)
    expect(text).toContain('\n\nTimes are in UTC (UTC+00:00).\n\n## Dana')
    expect(text).toContain('## Lee\n\nNow holds: Ops\n\n- 2026-11-24 09:00 +00:00 Action: Rebooted core-sw-1')
    expect(text).toContain('## Sam\n\nNow holds: Incident commander')
    expect(text).toMatch(
      /## Kim\n\nNow holds: Comms\n\n- 2026-11-24 09:05 \+00:00 Update to Principals: Building B offline; working on it\./,
    )
  })
})

describe('helpers', () => {
  it('escapes Markdown and keeps line breaks inside an item', () => {
    expect(md('a *b* _c_ [d](e) <script> # f | g ~h~ `i` \\')).toBe(
      'a \\*b\\* \\_c\\_ \\[d\\](e) \\<script\\> \\# f \\| g \\~h\\~ \\`i\\` \\\\',
    )
    expect(md('one\ntwo')).toBe('one  \n  two')
  })

  it('names export files after the title', () => {
    const s = incidentScript({ title: 'Core switch — down! (HS)' }).fold()
    expect(exportFileName(s, 'incident')).toBe('core-switch-down-hs-incident.md')
    expect(exportFileName(incidentScript({ title: '!!!' }).fold(), 'activity-log')).toBe('incident-activity-log.md')
  })
})

describe('who sent it, in the exports', () => {
  function scribed() {
    const s = incidentScript({ title: 'Scribed' })
    const e = s.add('log.entry', { text: 'Evacuate building B', kind: 'decision' }, SAM)
    s.events[s.events.indexOf(e)] = { ...e, receivedFrom: { tokenId: 2, name: 'Dana' } }
    const own = s.add('log.entry', { text: 'On site', kind: 'action' }, KIM)
    s.events[s.events.indexOf(own)] = { ...own, receivedFrom: { tokenId: 3, name: 'Kim' } }
    return s.fold()
  }

  it('the incident document says "logged by ‹sender› for ‹actor›" in the timeline, and only there it differs', () => {
    const text = incidentMarkdown(scribed(), { now: T0 + 60 * MIN, timeZone: 'UTC' })
    expect(text).toMatch(/ · logged by Dana for Sam \(Decision\): Evacuate building B/)
    expect(text).toMatch(/ · Kim \(Action\): On site/)
    expect(text).not.toContain('logged by Kim')
  })

  it('the activity log lists the event under its actor and names who sent it', () => {
    const sam = activityByPerson(scribed()).find((p) => p.name === 'Sam')!
    expect(sam.items.map((i) => i.text)).toEqual(['Decision: Evacuate building B (logged by Dana for Sam)'])
    expect(activityLogMarkdown(scribed(), { now: T0, timeZone: 'UTC' })).toContain(
      'Decision: Evacuate building B (logged by Dana for Sam)',
    )
  })
})
