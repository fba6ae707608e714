// @vitest-environment happy-dom
import { createPinia, setActivePinia } from 'pinia'
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { effectScope, ref, shallowRef } from 'vue'
import { makeIncident } from '../../tests/fixtures/events'
import { foldIncident } from '../domain/fold'
import { useClockStore } from '../stores/clock'
import { useUpdateDraft } from './useUpdateDraft'

const MIN = 60_000
const SERVER_NOW = Date.UTC(2026, 11, 1, 12, 0, 0)
/** The phone's clock is 3 h 2 min fast; the server's offset says so. */
const FAST = 3 * 3_600_000 + 2 * MIN

beforeEach(() => {
  vi.useFakeTimers({ toFake: ['Date'] })
  vi.setSystemTime(SERVER_NOW + FAST)
  setActivePinia(createPinia())
  useClockStore().offsetMs = -FAST
})
afterEach(() => {
  localStorage.clear()
  vi.useRealTimers()
})

/** The draft of an update for a fresh incident, next update in 30 min, times written as ISO so they can be read back. */
function draft() {
  const scope = effectScope()
  const incident = foldIncident(makeIncident())!
  const result = scope.run(() =>
    useUpdateDraft({
      incidentId: incident.id,
      incident: shallowRef(incident),
      nextDueMinutes: ref(30),
      audience: ref(''),
      formatTime: () => (iso) => iso,
    }),
  )!
  return { ...result, stop: () => scope.stop() }
}

const nextUpdateBy = (ms: number) => `Next update by ${new Date(ms).toISOString()}.`

describe('useUpdateDraft on a phone whose clock is off', () => {
  it("counts the next update from the server's time, not the phone's", () => {
    const d = draft()
    expect(d.text.value).toContain(nextUpdateBy(SERVER_NOW + 30 * MIN))
    d.stop()
  })

  it('counts from the corrected time again when the update is posted', () => {
    const d = draft()
    vi.setSystemTime(SERVER_NOW + FAST + 5 * MIN)
    expect(d.refreshNow()).toContain(nextUpdateBy(SERVER_NOW + 35 * MIN))
    d.stop()
  })
})
