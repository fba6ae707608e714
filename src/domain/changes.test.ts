import { describe, expect, it } from 'vitest'
import { DANA, LEE, SAM, incidentScript } from '../../tests/fixtures/incident-script'
import { groupChanges, keepDecisionText, keptChanges, resolveGuard, statusActions } from './changes'
import { validatePayload } from './events'

const change = (changeId: string, system = 'core-sw-1') => ({
  changeId,
  system,
  what: 'shut port 24',
  revert: 'no shut port 24',
})

describe('changes', () => {
  it('marks a change made outside Ops, and not one made by Ops', () => {
    const script = incidentScript()
    script.add('change.made', change('CHANGE0001'))
    script.add('role.assigned', { role: 'ops', person: { id: LEE.id, name: 'Lee' } })
    script.add('change.made', change('CHANGE0002'), LEE)
    script.add('change.made', change('CHANGE0003'), DANA)
    const s = script.fold()
    // Ops unassigned: the commander holds it, so Dana's first change is inside Ops.
    expect([...s.changes.values()].map((c) => [c.id, c.madeOutsideOps, c.opsHolder.name])).toEqual([
      ['CHANGE0001', false, 'Dana'],
      ['CHANGE0002', false, 'Lee'],
      ['CHANGE0003', true, 'Lee'],
    ])
  })

  it('groups open, kept and reverted changes, oldest first', () => {
    const script = incidentScript()
    script.add('change.made', change('CHANGE0001', 'a'))
    script.add('change.made', change('CHANGE0002', 'b'))
    script.add('change.made', change('CHANGE0003', 'c'))
    script.add('change.reverted', { changeId: 'CHANGE0002', note: 'port back up' })
    script.add('log.entry', { text: 'Kept c', kind: 'decision', keptChangeId: 'CHANGE0003' }, SAM)
    const g = groupChanges(script.fold())
    expect(g.open.map((c) => c.system)).toEqual(['a'])
    expect(g.kept.map((k) => [k.change.system, k.decision.actor.name, k.decision.text])).toEqual([
      ['c', 'Sam', 'Kept c'],
    ])
    expect(g.reverted.map((c) => [c.system, c.reverted!.note])).toEqual([['b', 'port back up']])
  })

  it('withdraws a keep decision when its entry is struck, and ignores one naming no change', () => {
    const script = incidentScript()
    script.add('change.made', change('CHANGE0001'))
    const keep = script.add('log.entry', { text: 'Keep it', kind: 'decision', keptChangeId: 'CHANGE0001' })
    script.add('log.entry', { text: 'Keep a ghost', kind: 'decision', keptChangeId: 'NOSUCHCHANGE' })
    expect([...keptChanges(script.fold()).keys()]).toEqual(['CHANGE0001'])
    script.add('log.amended', { entryId: keep.id, struck: true, reason: 'changed our mind' })
    expect(keptChanges(script.fold()).size).toBe(0)
    expect(groupChanges(script.fold()).open).toHaveLength(1)
  })

  it('a reverted change is no longer kept', () => {
    const script = incidentScript()
    script.add('change.made', change('CHANGE0001'))
    script.add('log.entry', { text: 'Keep it', kind: 'decision', keptChangeId: 'CHANGE0001' })
    script.add('change.reverted', { changeId: 'CHANGE0001' })
    const g = groupChanges(script.fold())
    expect([g.open.length, g.kept.length, g.reverted.length]).toEqual([0, 0, 1])
  })

  it('writes the keep decision with what and how to revert', () => {
    const script = incidentScript()
    const made = script.add('change.made', change('CHANGE0001'))
    const c = script.fold().changes.get('CHANGE0001')!
    expect(made.type).toBe('change.made')
    expect(keepDecisionText(c, ' vendor visit tomorrow ')).toBe(
      'Kept change on core-sw-1 on purpose: shut port 24 — vendor visit tomorrow. To revert later: no shut port 24',
    )
    expect(keepDecisionText(c, '')).toBe(
      'Kept change on core-sw-1 on purpose: shut port 24. To revert later: no shut port 24',
    )
  })

  it('accepts keptChangeId as an id and refuses anything else (contract extension)', () => {
    expect(validatePayload('log.entry', { text: 'k', kind: 'decision', keptChangeId: 'CHANGE0001' }).ok).toBe(true)
    expect(validatePayload('log.entry', { text: 'k', kind: 'decision', keptChangeId: 'no spaces allowed' })).toEqual({
      ok: false,
      reason: 'keptChangeId: must be 8–64 of A-Z a-z 0-9 _ -',
    })
  })
})

describe('resolve guard', () => {
  it('asks about each open change not yet kept, oldest first', () => {
    const script = incidentScript()
    script.add('change.made', change('CHANGE0002', 'second'))
    script.add('change.made', change('CHANGE0001', 'first-by-id-but-later'))
    script.add('change.made', change('CHANGE0003', 'kept'))
    script.add('change.made', change('CHANGE0004', 'reverted'))
    script.add('change.reverted', { changeId: 'CHANGE0004' })
    script.add('log.entry', { text: 'Keep', kind: 'decision', keptChangeId: 'CHANGE0003' })
    const guard = resolveGuard(script.fold(), [])
    expect(guard.changesToDecide.map((c) => c.system)).toEqual(['second', 'first-by-id-but-later'])
    expect(guard.activeChildren).toEqual([])
  })

  it('lists sub-incidents that are not resolved', () => {
    const s = incidentScript().fold()
    const guard = resolveGuard(s, [
      { id: 'CHILD00001', title: 'Gym Wi-Fi', severity: 3, status: 'active' },
      { id: 'CHILD00002', title: 'Library printers', severity: 4, status: 'resolved' },
      { id: 'CHILD00003', title: 'Bus radios', severity: 2, status: 'mitigated' },
    ])
    expect(guard.activeChildren.map((c) => c.title)).toEqual(['Gym Wi-Fi', 'Bus radios'])
    expect(guard.changesToDecide).toEqual([])
  })
})

describe('status actions', () => {
  it('offers active → mitigated → resolved, and reopen', () => {
    expect(statusActions('active').map((a) => a.to)).toEqual(['mitigated', 'resolved'])
    expect(statusActions('mitigated').map((a) => a.to)).toEqual(['resolved', 'active'])
    expect(statusActions('resolved')).toEqual([{ to: 'active', label: 'Reopen' }])
  })

  it('logs each status change with who and when', () => {
    const script = incidentScript()
    script.add('incident.status', { status: 'mitigated', note: 'backup link' }, LEE)
    script.add('incident.status', { status: 'resolved' }, SAM)
    script.add('incident.status', { status: 'active', note: 'flapping' })
    expect(script.fold().statusHistory.map((h) => [h.from, h.to, h.actor.name, h.note])).toEqual([
      ['active', 'mitigated', 'Lee', 'backup link'],
      ['mitigated', 'resolved', 'Sam', undefined],
      ['resolved', 'active', 'Dana', 'flapping'],
    ])
  })
})
