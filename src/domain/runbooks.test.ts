import { describe, expect, it } from 'vitest'
import type { EventType, IncidentEvent, PayloadOf } from './events'
import { validateEvent, validatePayload } from './events'
import { foldIncident, type IncidentState } from './fold'
import { formatHlc } from './hlc'
import { doneStepCount, doneSteps, runbooksUsed, stepEntries, stepLogText, stepPosition } from './runbooks'

const INC = 'INC0000001'
let counter = 0

function ev<T extends EventType>(
  type: T,
  payload: PayloadOf<T>,
  ms: number,
  id = `EVT${String(++counter).padStart(8, '0')}`,
): IncidentEvent {
  const checked = validateEvent({
    id,
    incidentId: INC,
    type,
    at: new Date(ms).toISOString(),
    hlc: formatHlc({ ms, counter: 0, node: 'dev-a' }),
    actor: { id: 'dev-a', name: 'Dana' },
    payload,
  })
  if (!checked.ok) throw new Error(checked.reason)
  return checked.value
}

function fold(events: IncidentEvent[]): IncidentState {
  const state = foldIncident(events)
  if (!state) throw new Error('no state')
  return state
}

const declared = ev('incident.declared', { title: 'Switch down', severity: 2 }, 1_000)
const tick = (id: string, step: number, ms: number, entryId?: string) =>
  ev('log.entry', { text: `✓ ${id} ${step}`, kind: 'action', runbook: { id, step } }, ms, entryId)

describe('runbook steps in an incident', () => {
  it('are done when a non-struck entry names them, whatever order the events arrive in', () => {
    const events = [
      declared,
      tick('switch-down', 2, 2_000, 'ENTRY0001'),
      tick('switch-down', 0, 3_000),
      tick('dhcp', 1, 4_000),
      ev('log.amended', { entryId: 'ENTRY0001', struck: true }, 5_000),
    ]
    const forward = fold(events)
    const shuffled = fold([events[4]!, events[2]!, events[0]!, events[3]!, events[1]!])
    for (const state of [forward, shuffled]) {
      expect([...doneSteps(state, 'switch-down')]).toEqual([0])
      expect([...doneSteps(state, 'dhcp')]).toEqual([1])
      expect(doneSteps(state, 'wifi').size).toBe(0)
    }
  })

  it('count again when a struck entry is restored, and when another phone ticks the same step', () => {
    const state = fold([
      declared,
      tick('switch-down', 1, 2_000, 'ENTRY0001'),
      ev('log.amended', { entryId: 'ENTRY0001', struck: true }, 3_000),
      ev('log.amended', { entryId: 'ENTRY0001', struck: false }, 4_000),
      tick('switch-down', 1, 5_000),
    ])
    expect([...doneSteps(state, 'switch-down')]).toEqual([1])
    expect(stepEntries(state, 'switch-down', 1).map((e) => e.id)[0]).toBe('ENTRY0001')
    expect(stepEntries(state, 'switch-down', 1)).toHaveLength(2)
  })

  it('stepEntries leaves struck entries out unless asked, and ignores entries without a step', () => {
    const state = fold([
      declared,
      tick('switch-down', 3, 2_000, 'ENTRY0001'),
      ev('log.amended', { entryId: 'ENTRY0001', struck: true }, 3_000),
      ev('log.entry', { text: 'Opened the runbook', kind: 'note', runbook: { id: 'switch-down' } }, 4_000),
    ])
    expect(stepEntries(state, 'switch-down', 3)).toEqual([])
    expect(stepEntries(state, 'switch-down', 3, true).map((e) => e.id)).toEqual(['ENTRY0001'])
    expect(doneSteps(state, 'switch-down').size).toBe(0)
  })

  it('runbooksUsed lists each runbook once, most recently used first, with its done steps sorted', () => {
    const state = fold([
      declared,
      tick('switch-down', 4, 2_000),
      tick('dhcp', 0, 3_000),
      tick('switch-down', 1, 4_000, 'ENTRY0009'),
      ev('log.entry', { text: 'plain', kind: 'note' }, 5_000),
      tick('wifi', 2, 6_000, 'ENTRY0010'),
      ev('log.amended', { entryId: 'ENTRY0010', struck: true }, 7_000),
    ])
    expect(runbooksUsed(state)).toEqual([
      { id: 'wifi', done: [], lastAt: new Date(6_000).toISOString() },
      { id: 'switch-down', done: [1, 4], lastAt: new Date(4_000).toISOString() },
      { id: 'dhcp', done: [0], lastAt: new Date(3_000).toISOString() },
    ])
    expect(runbooksUsed(fold([declared]))).toEqual([])
  })
})

describe('stepLogText', () => {
  it('names the step and the runbook', () => {
    expect(stepLogText('Check the lights', 'Switch down in a closet', 5)).toBe(
      '✓ Check the lights — Switch down in a closet, step 6',
    )
    expect(stepLogText('  ', 'Switch down', 0)).toBe('✓ Step 1 — Switch down, step 1')
  })

  it('adds the parameter values the step was done with', () => {
    expect(stepLogText('Ping 10.20.12.5', 'Switch down', 1, { switch_ip: '10.20.12.5', campus: 'North' })).toBe(
      '✓ Ping 10.20.12.5 — Switch down, step 2 (switch_ip: 10.20.12.5, campus: North)',
    )
    expect(stepLogText('Ping', 'Switch down', 1, {})).toBe('✓ Ping — Switch down, step 2')
  })

  it('stays within the log entry limit', () => {
    const text = stepLogText('x'.repeat(5000), 'T', 0)
    expect(text).toHaveLength(4000)
    expect(text.endsWith('…')).toBe(true)
  })
})

describe('runbook references with version and stepId', () => {
  const shownV2 = {
    version: 2,
    steps: [
      { index: 0, id: 'power/new-first-step' },
      { index: 1, id: 'power/check-the-ups' },
    ],
  }

  it('validates with and without them, and names a bad field', () => {
    const base = { text: '✓ Check the UPS', kind: 'action' }
    expect(validatePayload('log.entry', { ...base, runbook: { id: 'switch-down', step: 0 } }).ok).toBe(true)
    expect(
      validatePayload('log.entry', {
        ...base,
        runbook: { id: 'switch-down', step: 0, version: 1, stepId: 'power/check-the-ups' },
      }).ok,
    ).toBe(true)
    const bad = validatePayload('log.entry', { ...base, runbook: { id: 'switch-down', step: 0, version: 0 } })
    expect(bad.ok).toBe(false)
    expect(!bad.ok && bad.reason).toMatch(/version/)
    const badId = validatePayload('log.entry', { ...base, runbook: { id: 'switch-down', step: 0, stepId: 'a b<' } })
    expect(!badId.ok && badId.reason).toMatch(/stepId/)
  })

  it('places a tick from an older version on the step with the same id, and an old tick on its position', () => {
    expect(stepPosition({ id: 'x', step: 0, version: 1, stepId: 'power/check-the-ups' }, shownV2)).toBe(1)
    expect(stepPosition({ id: 'x', step: 1, version: 2, stepId: 'power/check-the-ups' }, shownV2)).toBe(1)
    expect(stepPosition({ id: 'x', step: 3, version: 1, stepId: 'power/gone' }, shownV2)).toBeUndefined()
    expect(stepPosition({ id: 'x', step: 1 }, shownV2)).toBe(1)
    // Ticked in the build's copy (no version): by its id too.
    expect(stepPosition({ id: 'x', step: 0, stepId: 'power/check-the-ups' }, shownV2)).toBe(1)
    expect(stepPosition({ id: 'x', step: 0, version: 1, stepId: 'power/check-the-ups' })).toBe(0)
  })

  it('counts "n of m" done by step id in the version on screen, by position without one', () => {
    const ref = (step: number, extra: { version?: number; stepId?: string } = {}) => ({ id: 'x', step, ...extra })
    const entry = (r: ReturnType<typeof ref>, ms: number) =>
      ev('log.entry', { text: `✓ ${r.step}`, kind: 'action', runbook: r }, ms)
    const state = fold([
      declared,
      // Ticked in version 1 at position 0; version 2 moved that step to position 1.
      entry(ref(0, { version: 1, stepId: 'power/check-the-ups' }), 2_000),
      // Ticked in version 1, a step version 2 no longer has.
      entry(ref(1, { version: 1, stepId: 'power/gone' }), 3_000),
      // An older tick without ids: its position.
      entry(ref(0), 4_000),
    ])
    // In version 2: the UPS check (position 1) and the old position-0 tick; the gone step is not counted.
    expect([...doneSteps(state, 'x', shownV2)].sort()).toEqual([0, 1])
    expect(doneStepCount(state, 'x', 2, shownV2)).toBe(2)
    // By position alone (no ids known), the gone step's tick would have counted as position 1.
    expect(doneStepCount(state, 'x', 2)).toBe(2)
    const twoTicksOfOneStep = fold([
      declared,
      entry(ref(0, { version: 1, stepId: 'power/check-the-ups' }), 2_000),
      entry(ref(1, { version: 2, stepId: 'power/check-the-ups' }), 3_000),
    ])
    // One step ticked in two versions is one step done, not two.
    expect(doneStepCount(twoTicksOfOneStep, 'x', 2, shownV2)).toBe(1)
    expect(runbooksUsed(twoTicksOfOneStep)[0]!.done).toEqual([0, 1])
    expect(doneStepCount(twoTicksOfOneStep, 'x', 2)).toBe(2)
    // Positions past the end of the shown version do not count.
    expect(doneStepCount(fold([declared, entry(ref(5), 2_000)]), 'x', 2)).toBe(0)
    expect(doneStepCount(fold([declared, entry(ref(5), 2_000)]), 'x', null)).toBe(1)
  })
})
