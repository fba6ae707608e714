import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { KIM, MIN, T0, incidentScript } from '../../tests/fixtures/incident-script'
import { cadenceStatus, describeCadence, isUpdateDueReminder, nextUpdateDueMs, reminderFor } from './cadence'

beforeEach(() => {
  vi.useFakeTimers()
  vi.setSystemTime(T0)
})
afterEach(() => vi.useRealTimers())

describe('cadence', () => {
  it('is due 30 minutes after the declaration by default', () => {
    const s = incidentScript().fold()
    expect(nextUpdateDueMs(s)).toBe(s.declaredMs + 30 * MIN)
    vi.setSystemTime(s.declaredMs)
    vi.advanceTimersByTime(18 * MIN)
    expect(describeCadence(cadenceStatus(s, Date.now()))).toBe('Next update in 12 min')
  })

  it('turns overdue at the due time, and says by how much', () => {
    const s = incidentScript().fold()
    vi.setSystemTime(s.declaredMs + 30 * MIN - 1)
    expect(cadenceStatus(s, Date.now())).toMatchObject({ kind: 'due', minutesLeft: 1 })
    vi.advanceTimersByTime(1)
    expect(cadenceStatus(s, Date.now())).toMatchObject({ kind: 'overdue', minutesLate: 0 })
    expect(describeCadence(cadenceStatus(s, Date.now()))).toBe('Update overdue')
    vi.advanceTimersByTime(7 * MIN)
    expect(describeCadence(cadenceStatus(s, Date.now()))).toBe('Update overdue by 7 min')
  })

  it('restarts with each update, using its nextDueMinutes, else the cadence', () => {
    const script = incidentScript({ updateCadenceMinutes: 20 })
    script.wait(25)
    const first = script.add('update.posted', { body: 'Investigating', nextDueMinutes: 10 }, KIM)
    expect(nextUpdateDueMs(script.fold())).toBe(Date.parse(first.at) + 10 * MIN)
    script.wait(5)
    const second = script.add('update.posted', { body: 'Still on it' }, KIM)
    expect(nextUpdateDueMs(script.fold())).toBe(Date.parse(second.at) + 20 * MIN)
  })

  it('follows a cadence edited mid-incident', () => {
    const script = incidentScript()
    script.add('incident.edited', { updateCadenceMinutes: 15 })
    const s = script.fold()
    expect(nextUpdateDueMs(s)).toBe(s.declaredMs + 15 * MIN)
  })

  it('counts on while mitigated and stops once resolved, coming back on reopen', () => {
    const script = incidentScript()
    script.add('incident.status', { status: 'mitigated' })
    expect(cadenceStatus(script.fold(), T0 + 60 * MIN).kind).toBe('overdue')
    script.add('incident.status', { status: 'resolved' })
    expect(nextUpdateDueMs(script.fold())).toBeNull()
    expect(cadenceStatus(script.fold(), T0 + 60 * MIN)).toEqual({ kind: 'off' })
    expect(describeCadence({ kind: 'off' })).toBe('')
    expect(reminderFor(script.fold())).toBeNull()
    script.add('incident.status', { status: 'active' })
    expect(cadenceStatus(script.fold(), T0 + 60 * MIN).kind).toBe('overdue')
  })

  it('speaks in hours for long cadences', () => {
    const s = incidentScript({ updateCadenceMinutes: 240 }).fold()
    expect(describeCadence(cadenceStatus(s, Date.now()))).toBe('Next update in 4 h')
  })

  it('builds a reminder that opens the Updates tab, and recognises one', () => {
    const s = incidentScript({ title: 'Wi-Fi down' }).fold()
    const reminder = reminderFor(s)!
    expect(reminder).toMatchObject({
      type: 'update-due',
      incidentId: s.id,
      title: 'Update due: Wi-Fi down',
      url: `/incidents/${s.id}/updates`,
      dueMs: s.declaredMs + 30 * MIN,
    })
    expect(reminder.body).toMatch(/first update/)
    expect(isUpdateDueReminder(reminder)).toBe(true)
    expect(isUpdateDueReminder({ ...reminder, url: 'https://evil.example/' })).toBe(false)
    expect(isUpdateDueReminder({ type: 'update-due' })).toBe(false)
    expect(isUpdateDueReminder(null)).toBe(false)
  })
})
