import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import type { EventType, IncidentEvent, PayloadOf } from './events'
import { validateEvent } from './events'
import { applyEvent, childrenOf, foldIncident, foldIncidents, holderOf, resolveBlockers, sortEvents } from './fold'
import type { IncidentState } from './fold'
import { formatHlc } from './hlc'

const INC = 'INC0000001'
let counter = 0
const dana = { id: 'dev-dana', name: 'Dana' }
const sam = { id: 'dev-sam', name: 'Sam' }

function ev<T extends EventType>(
  type: T,
  payload: PayloadOf<T>,
  opts: { ms?: number; actor?: { id: string; name: string }; incidentId?: string; id?: string } = {},
): IncidentEvent {
  counter += 1
  const ms = opts.ms ?? 1_700_000_000_000 + counter
  const actor = opts.actor ?? dana
  const event = {
    id: opts.id ?? `EVT${String(counter).padStart(8, '0')}`,
    incidentId: opts.incidentId ?? INC,
    type,
    at: new Date(ms).toISOString(),
    hlc: formatHlc({ ms, counter: 0, node: actor.id }),
    actor,
    payload,
  }
  const checked = validateEvent(event)
  if (!checked.ok) throw new Error(`test event invalid: ${checked.reason}`)
  return checked.value
}

const declared = (opts = {}) =>
  ev('incident.declared', { title: 'Core switch down', severity: 2, location: 'High school' }, { ms: 1_000, ...opts })

function fold(events: IncidentEvent[]): IncidentState {
  const state = foldIncident(events)
  if (!state) throw new Error('no state')
  return state
}

/** What a responder sees, in plain data: the thing that must be identical on every phone. */
function visible(state: IncidentState | null) {
  if (!state) return null
  return {
    ...state,
    seen: [...state.seen].sort(),
    entries: [...state.entries.values()],
    changes: [...state.changes.values()],
    tasks: [...state.tasks.values()],
    orphans: [...state.orphans.entries()],
    // Concurrent writes found, and their confirmations: every phone must name the same ones.
    conflicts: state.conflicts,
    registers: [...state.registers.entries()].sort(([a], [b]) => (a < b ? -1 : 1)),
    acknowledgements: [...state.acknowledgements.entries()].sort(([a], [b]) => (a < b ? -1 : 1)),
  }
}

describe('fold', () => {
  it('waits for incident.declared before showing an incident', () => {
    expect(foldIncident([ev('log.entry', { text: 'hi', kind: 'note' })])).toBeNull()
  })

  it('starts from the declaration, with the declarer in command of every role', () => {
    const s = fold([declared()])
    expect(s).toMatchObject({
      id: INC,
      title: 'Core switch down',
      severity: 2,
      location: 'High school',
      status: 'active',
      summary: '',
    })
    for (const role of ['command', 'ops', 'comms', 'planning'] as const) expect(holderOf(s, role)).toEqual(dana)
    expect(s.updateCadenceMinutes).toBe(30)
  })

  it('lets the last writer by hlc win per edited field, whatever the arrival order', () => {
    const a = ev('incident.edited', { title: 'Title A', severity: 1 }, { ms: 2_000 })
    const b = ev('incident.edited', { title: 'Title B' }, { ms: 3_000, actor: sam })
    const c = ev('incident.edited', { summary: 'Uplink fibre cut', updateCadenceMinutes: 15 }, { ms: 2_500 })
    for (const order of [
      [a, b, c],
      [c, b, a],
      [b, a, c],
    ]) {
      const s = fold([declared(), ...order])
      expect(s.title).toBe('Title B')
      expect(s.severity).toBe(1)
      expect(s.summary).toBe('Uplink fibre cut')
      expect(s.updateCadenceMinutes).toBe(15)
    }
  })

  it('tracks status changes with who and when', () => {
    const s = fold([
      declared(),
      ev('incident.status', { status: 'mitigated', note: 'on backup link' }, { ms: 2_000 }),
      ev('incident.status', { status: 'resolved' }, { ms: 3_000, actor: sam }),
      ev('incident.status', { status: 'active', note: 'flapping again' }, { ms: 4_000 }),
    ])
    expect(s.status).toBe('active')
    expect(s.statusHistory.map((h) => [h.from, h.to, h.actor.name])).toEqual([
      ['active', 'mitigated', 'Dana'],
      ['mitigated', 'resolved', 'Sam'],
      ['resolved', 'active', 'Dana'],
    ])
  })

  it('assigns, hands off with a briefing and hands back roles', () => {
    const s1 = fold([declared(), ev('role.assigned', { role: 'ops', person: sam }, { ms: 2_000 })])
    expect(holderOf(s1, 'ops')).toEqual(sam)
    expect(holderOf(s1, 'comms')).toEqual(dana)
    const lee = { name: 'Lee' }
    const s2 = fold([
      declared(),
      ev('role.assigned', { role: 'command', person: lee, briefing: 'Switch is on backup power' }, { ms: 2_000 }),
    ])
    expect(holderOf(s2, 'command')).toEqual(lee)
    expect(holderOf(s2, 'planning')).toEqual(lee)
    expect(s2.roles.command.briefing).toBe('Switch is on backup power')
    const s3 = fold([
      declared(),
      ev('role.assigned', { role: 'ops', person: sam }, { ms: 2_000 }),
      ev('role.assigned', { role: 'ops', person: null }, { ms: 3_000 }),
    ])
    expect(holderOf(s3, 'ops')).toEqual(dana)
  })

  it('ignores handing command back to nobody', () => {
    const s = fold([declared(), ev('role.assigned', { role: 'command', person: null }, { ms: 2_000 })])
    expect(holderOf(s, 'command')).toEqual(dana)
  })

  it('keeps log entries in clock order with kinds and runbook steps', () => {
    const s = fold([
      declared(),
      ev('log.entry', { text: 'second', kind: 'decision' }, { ms: 3_000 }),
      ev('log.entry', { text: 'first', kind: 'action', runbook: { id: 'switch-down', step: 2 } }, { ms: 2_000 }),
    ])
    expect([...s.entries.values()].sort((a, b) => (a.hlc < b.hlc ? -1 : 1)).map((e) => e.text)).toEqual([
      'first',
      'second',
    ])
    expect(s.events.map((e) => e.type)).toEqual(['incident.declared', 'log.entry', 'log.entry'])
    expect(s.entries.get(s.events[1]!.id)!.runbook).toEqual({ id: 'switch-down', step: 2 })
  })

  it('amends entries by last writer, keeping the original and the history', () => {
    const entry = ev('log.entry', { text: 'rebooted swtich', kind: 'action' }, { ms: 2_000 })
    const fix = ev('log.amended', { entryId: entry.id, text: 'rebooted switch', reason: 'typo' }, { ms: 3_000 })
    const pin = ev('log.amended', { entryId: entry.id, pinned: true }, { ms: 4_000, actor: sam })
    const strike = ev('log.amended', { entryId: entry.id, struck: true }, { ms: 5_000 })
    const s = fold([strike, pin, declared(), fix, entry])
    const e = s.entries.get(entry.id)!
    expect(e).toMatchObject({ text: 'rebooted switch', originalText: 'rebooted swtich', pinned: true, struck: true })
    expect(e.history.map((h) => h.eventId)).toEqual([fix.id, pin.id, strike.id])
  })

  it('applies an amendment that sorts before its entry once the entry arrives', () => {
    const entry = ev('log.entry', { text: 'a', kind: 'note' }, { ms: 5_000 })
    const amend = ev('log.amended', { entryId: entry.id, struck: true }, { ms: 4_000 })
    expect(fold([declared(), amend, entry]).entries.get(entry.id)!.struck).toBe(true)
    expect(fold([declared(), amend]).orphans.size).toBe(1)
  })

  it('records changes, marks those made outside Ops, and reverts them', () => {
    const assignOps = ev('role.assigned', { role: 'ops', person: sam }, { ms: 2_000 })
    const bySam = ev(
      'change.made',
      { changeId: 'CHG0000001', system: 'core-sw-1', what: 'shut port 24', revert: 'no shut port 24' },
      { ms: 3_000, actor: sam },
    )
    const byDana = ev(
      'change.made',
      { changeId: 'CHG0000002', system: 'dhcp', what: 'lease 1h', revert: 'lease 8d' },
      { ms: 4_000 },
    )
    const revert = ev('change.reverted', { changeId: 'CHG0000001', note: 'port back' }, { ms: 5_000, actor: sam })
    const s = fold([declared(), assignOps, bySam, byDana, revert])
    expect(s.changes.get('CHG0000001')).toMatchObject({ madeOutsideOps: false, reverted: { note: 'port back' } })
    expect(s.changes.get('CHG0000002')).toMatchObject({ madeOutsideOps: true, opsHolder: sam, reverted: null })
    const byCommanderBeforeOps = fold([
      declared(),
      ev('change.made', { changeId: 'CHG0000003', system: 'x', what: 'y', revert: 'z' }, { ms: 1_500 }),
    ])
    expect(byCommanderBeforeOps.changes.get('CHG0000003')!.madeOutsideOps).toBe(false)
  })

  it('matches a typed name when the assignee has no id', () => {
    const s = fold([
      declared(),
      ev('role.assigned', { role: 'ops', person: { name: 'sam ' } }, { ms: 2_000 }),
      ev('change.made', { changeId: 'CHG0000004', system: 'x', what: 'y', revert: 'z' }, { ms: 3_000, actor: sam }),
    ])
    expect(s.changes.get('CHG0000004')!.madeOutsideOps).toBe(false)
  })

  it('collects updates and cadence', () => {
    const s = fold([
      declared(),
      ev('update.posted', { body: 'Investigating', audience: 'Principals', nextDueMinutes: 15 }, { ms: 2_000 }),
    ])
    expect(s.updates).toHaveLength(1)
    expect(s.updates[0]).toMatchObject({ body: 'Investigating', audience: 'Principals', nextDueMinutes: 15 })
  })

  it('adds, completes and reopens tasks by last writer', () => {
    const add = ev(
      'task.added',
      { taskId: 'TSK0000001', text: 'Need one more person at the high school', kind: 'staffing', owner: 'Lee' },
      { ms: 2_000 },
    )
    const done = ev('task.done', { taskId: 'TSK0000001' }, { ms: 3_000 })
    const reopen = ev('task.reopened', { taskId: 'TSK0000001' }, { ms: 4_000 })
    expect(fold([declared(), add, done]).tasks.get('TSK0000001')!.done).not.toBeNull()
    expect(fold([declared(), reopen, add, done]).tasks.get('TSK0000001')!.done).toBeNull()
  })

  it('links sub-incidents to the parent and guards resolving', () => {
    const parentEvents = [
      declared(),
      ev('change.made', { changeId: 'CHG0000009', system: 'fw', what: 'allow', revert: 'deny' }, { ms: 2_000 }),
    ]
    const child = ev(
      'incident.declared',
      { title: 'Bells at the middle school', severity: 3, parentId: INC },
      { ms: 3_000, incidentId: 'INC0000002' },
    )
    const otherChild = ev(
      'incident.declared',
      { title: 'Phones', severity: 2, parentId: INC },
      { ms: 3_500, incidentId: 'INC0000003' },
    )
    const done = ev('incident.status', { status: 'resolved' }, { ms: 4_000, incidentId: 'INC0000003' })
    const all = foldIncidents([...parentEvents, child, otherChild, done])
    const kids = childrenOf(INC, all.values())
    expect(kids.map((k) => [k.title, k.status])).toEqual([
      ['Phones', 'resolved'],
      ['Bells at the middle school', 'active'],
    ])
    const blockers = resolveBlockers(all.get(INC)!, kids)
    expect(blockers.openChanges.map((c) => c.id)).toEqual(['CHG0000009'])
    expect(blockers.activeChildren.map((c) => c.id)).toEqual(['INC0000002'])
  })

  it('keeps events of an unknown incident waiting, then folds them when it arrives', () => {
    const early = ev('log.entry', { text: 'seen first', kind: 'observation' }, { ms: 2_000, incidentId: 'INC0000005' })
    expect(foldIncidents([early]).size).toBe(0)
    const decl = ev('incident.declared', { title: 'Late', severity: 4 }, { ms: 1_000, incidentId: 'INC0000005' })
    expect(foldIncidents([early, decl]).get('INC0000005')!.entries.size).toBe(1)
  })

  it('applies new events incrementally, and asks for a refold when one is out of order', () => {
    const s = fold([declared(), ev('log.entry', { text: 'a', kind: 'note' }, { ms: 5_000 })])
    const later = ev('log.entry', { text: 'b', kind: 'note' }, { ms: 6_000 })
    expect(applyEvent(s, later)).toBe(true)
    expect(applyEvent(s, later)).toBe(true)
    expect(s.entries.size).toBe(2)
    expect(applyEvent(s, ev('log.entry', { text: 'c', kind: 'note' }, { ms: 4_000 }))).toBe(false)
    expect(s.entries.size).toBe(2)
  })

  it('sorts by hlc then id, dropping duplicates', () => {
    const a = ev('log.entry', { text: 'a', kind: 'note' }, { ms: 5_000, id: 'EVTbbbbbbbb' })
    const b = { ...a, id: 'EVTaaaaaaaa' }
    expect(sortEvents([a, b, a]).map((e) => e.id)).toEqual(['EVTaaaaaaaa', 'EVTbbbbbbbb'])
  })
})

describe('fold is deterministic whatever the arrival order (property)', () => {
  // A realistic incident: every event type, several actors, clashing clocks.
  const actors = [dana, sam, { id: 'dev-lee', name: 'Lee' }]
  const base: IncidentEvent[] = (() => {
    const out: IncidentEvent[] = [declared()]
    let ms = 1_000
    const next = (i: number) => ({ ms: (ms += i % 3 === 0 ? 0 : 7), actor: actors[i % 3]! })
    for (let i = 0; i < 12; i++) {
      const entry = ev(
        'log.entry',
        { text: `entry ${i}`, kind: (['action', 'observation', 'decision', 'note'] as const)[i % 4]! },
        next(i),
      )
      out.push(entry)
      if (i % 3 === 0)
        out.push(ev('log.amended', { entryId: entry.id, text: `fixed ${i}`, pinned: i % 2 === 0 }, next(i + 1)))
      if (i % 4 === 1) out.push(ev('incident.edited', { title: `title ${i}`, severity: ((i % 4) + 1) as 1 }, next(i)))
      if (i % 5 === 2)
        out.push(
          ev(
            'role.assigned',
            {
              role: (['ops', 'comms', 'planning', 'command'] as const)[i % 4]!,
              person: i % 2 ? null : actors[(i + 1) % 3]!,
            },
            next(i),
          ),
        )
      if (i % 4 === 3) {
        const changeId = `CHG${String(i).padStart(7, '0')}`
        out.push(ev('change.made', { changeId, system: 'sw', what: `w${i}`, revert: `r${i}` }, next(i)))
        if (i % 8 === 3) out.push(ev('change.reverted', { changeId }, next(i + 2)))
      }
      if (i % 6 === 0) out.push(ev('update.posted', { body: `update ${i}` }, next(i)))
      if (i % 5 === 0) {
        const taskId = `TSK${String(i).padStart(7, '0')}`
        out.push(ev('task.added', { taskId, text: 't', kind: 'followup' }, next(i)))
        out.push(ev(i % 2 ? 'task.reopened' : 'task.done', { taskId }, next(i + 1)))
      }
      if (i % 7 === 4)
        out.push(ev('incident.status', { status: (['mitigated', 'resolved', 'active'] as const)[i % 3]! }, next(i)))
    }
    // Writes made at the same time offline (each names the write it replaced), one confirmed.
    const decl = out[0]!
    const ops1 = ev('role.assigned', { role: 'ops', person: sam, seen: decl.id }, { ms: 1_031, actor: dana })
    const ops2 = ev('role.assigned', { role: 'ops', person: dana, seen: decl.id }, { ms: 1_031, actor: sam })
    const title = ev('incident.edited', { title: 'offline title', seen: { title: decl.id } }, { ms: 1_045 })
    const task = ev('task.added', { taskId: 'TSK9999999', text: 't', kind: 'bug' }, { ms: 1_050 })
    const done = ev('task.done', { taskId: 'TSK9999999', seen: 'TSK9999999' }, { ms: 1_052, actor: sam })
    const reopen = ev('task.reopened', { taskId: 'TSK9999999', seen: 'TSK9999999' }, { ms: 1_052, actor: dana })
    const later = [ops1, ops2].sort((a, b) => (a.hlc < b.hlc ? 1 : -1))
    const ack = ev('conflict.acknowledged', { keptId: later[0]!.id, replacedId: later[1]!.id }, { ms: 1_060 })
    out.push(ops1, ops2, title, task, done, reopen, ack)
    return out
  })()
  const expected = visible(foldIncident(base))

  it('holds concurrent writes found in the base, one of them confirmed', () => {
    expect(expected!.conflicts.map((c) => [c.subject.kind, !!c.acknowledged])).toEqual([
      ['role', true],
      ['field', false],
      ['task', false],
    ])
  })

  it('gives identical state for shuffled and duplicated events (1,000 runs)', () => {
    fc.assert(
      fc.property(
        fc.shuffledSubarray(base, { minLength: base.length, maxLength: base.length }),
        fc.array(fc.integer({ min: 0, max: base.length - 1 }), { maxLength: 10 }),
        (shuffled, dupIdx) => {
          const withDuplicates = [...shuffled, ...dupIdx.map((i) => structuredClone(base[i]!))]
          expect(visible(foldIncident(withDuplicates))).toEqual(expected)
        },
      ),
      { numRuns: 1000 },
    )
  })

  it('gives the same state folding at once or applying one by one in any order', () => {
    fc.assert(
      fc.property(fc.shuffledSubarray(base, { minLength: base.length, maxLength: base.length }), (shuffled) => {
        const seen: IncidentEvent[] = []
        let state: IncidentState | null = null
        for (const e of shuffled) {
          seen.push(e)
          if (!state || !applyEvent(state, e)) state = foldIncident(seen)
        }
        expect(visible(state)).toEqual(expected)
      }),
      { numRuns: 300 },
    )
  })
})

describe('the declaration the server stored first is the incident’s', () => {
  const mallory = { id: 'dev-mallory', name: 'Mallory' }
  const withSeq = (e: IncidentEvent, seq: number): IncidentEvent => ({ ...e, seq })

  it('ignores a second declaration stamped near 1970 with a lower hlc but a higher seq', () => {
    const real = withSeq(declared(), 1)
    const entry = withSeq(ev('log.entry', { text: 'Rebooted', kind: 'action' }, { ms: 2_000 }), 2)
    const hostile = withSeq(
      ev('incident.declared', { title: 'Pwned', severity: 4 }, { ms: 5, actor: mallory, id: 'EVT00000000' }),
      3,
    )
    for (const events of [
      [real, entry, hostile],
      [hostile, entry, real],
    ]) {
      const s = fold(events)
      expect(s).toMatchObject({ title: 'Core switch down', severity: 2, declaredBy: dana })
      expect(s.roles.command.person).toEqual(dana)
      expect(s.events.map((e) => e.id)).toEqual([real.id, entry.id])
    }
  })

  it('ignores events stamped at or before the declaration, folded or applied', () => {
    const decl = declared()
    const before = ev('incident.status', { status: 'resolved' }, { ms: 500, actor: mallory })
    const sameStamp = ev('role.assigned', { role: 'command', person: mallory }, { ms: 1_000, id: 'EVTzzzzzzzz' })
    expect(sameStamp.hlc).toBe(decl.hlc)
    const after = ev('log.entry', { text: 'after', kind: 'note' }, { ms: 2_000 })
    const s = fold([before, decl, sameStamp, after])
    expect(s.status).toBe('active')
    expect(s.roles.command.person).toEqual(dana)
    expect(s.events.map((e) => e.id)).toEqual([decl.id, after.id])

    const inc = fold([decl])
    expect(applyEvent(inc, sameStamp)).toBe(true) // nothing to refold: it is ignored either way
    expect(applyEvent(inc, before)).toBe(true)
    expect(inc.roles.command.person).toEqual(dana)
    expect(inc.events).toHaveLength(1)
  })

  it('lets (hlc, id) decide when no declaration has a seq, and puts synced ones first', () => {
    const early = ev('incident.declared', { title: 'Early', severity: 1 }, { ms: 1_000, id: 'EVTbbbbbbbb' })
    const tie = ev('incident.declared', { title: 'Tie, lower id', severity: 1 }, { ms: 1_000, id: 'EVTaaaaaaaa' })
    expect(tie.hlc).toBe(early.hlc)
    const late = ev('incident.declared', { title: 'Late', severity: 3 }, { ms: 9_000, actor: sam })
    expect(fold([late, early]).title).toBe('Early')
    expect(fold([late, early, tie]).title).toBe('Tie, lower id')
    // Synced (seq) beats not yet synced, whatever the stamps; then the lower seq wins.
    expect(fold([early, withSeq(late, 4)]).title).toBe('Late')
    expect(fold([withSeq(early, 9), withSeq(late, 4)]).title).toBe('Late')
    // A copy of the same declaration with a seq counts, whatever copy came first.
    expect(fold([early, withSeq(late, 4), withSeq(early, 2)]).title).toBe('Early')
  })

  it('asks for a refold when another declaration arrives, since its seq may make it the incident’s', () => {
    const s = fold([declared()])
    const other = ev('incident.declared', { title: 'Other', severity: 1 }, { ms: 3_000, actor: sam })
    expect(applyEvent(s, other)).toBe(false)
    expect(s.title).toBe('Core switch down')
  })

  it('is unchanged by hostile declarations and back-dated events in any order (property)', () => {
    const real = withSeq(declared(), 1)
    const honest = [
      real,
      withSeq(ev('log.entry', { text: 'one', kind: 'note' }, { ms: 2_000 }), 2),
      withSeq(ev('incident.edited', { title: 'Core switch B down' }, { ms: 3_000, actor: sam }), 3),
      ev('incident.status', { status: 'mitigated' }, { ms: 4_000 }),
    ]
    const hostile = [
      withSeq(ev('incident.declared', { title: 'Pwned', severity: 4 }, { ms: 1, actor: mallory }), 5),
      ev('incident.declared', { title: 'Pwned later', severity: 4 }, { ms: 9_000, actor: mallory }),
      withSeq(ev('incident.edited', { title: 'Back-dated' }, { ms: 999, actor: mallory }), 6),
      ev('role.assigned', { role: 'command', person: mallory }, { ms: 2, actor: mallory }),
    ]
    const expected = visible(foldIncident(honest))
    fc.assert(
      fc.property(
        fc.shuffledSubarray([...honest, ...hostile], { minLength: 8, maxLength: 8 }),
        fc.array(fc.integer({ min: 0, max: 7 }), { maxLength: 4 }),
        (shuffled, dupIdx) => {
          const all = [...shuffled, ...dupIdx.map((i) => structuredClone(shuffled[i]!))]
          expect(visible(foldIncident(all))).toEqual(expected)
          let state: IncidentState | null = null
          const seen: IncidentEvent[] = []
          for (const e of all) {
            seen.push(e)
            if (!state || !applyEvent(state, e)) state = foldIncident(seen)
          }
          expect(visible(state)).toEqual(expected)
        },
      ),
      { numRuns: 300 },
    )
  })
})
