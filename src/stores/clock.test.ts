// @vitest-environment happy-dom
import { createPinia, setActivePinia } from 'pinia'
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { useClockStore } from './clock'

beforeEach(() => {
  setActivePinia(createPinia())
})

afterEach(() => {
  vi.useRealTimers()
  vi.restoreAllMocks()
})

describe('clock store', () => {
  it('makes no date formatter until a time is shown (the first one is slow on a phone)', () => {
    // Spies on methods, not on the constructor: src/domain/time.ts caches the formatters it makes.
    const zone = vi.spyOn(Intl.DateTimeFormat.prototype, 'resolvedOptions')
    const languages = vi.spyOn(Intl.DateTimeFormat, 'supportedLocalesOf')
    const clock = useClockStore()
    clock.correctedNow()
    expect(zone).not.toHaveBeenCalled()
    expect(languages).not.toHaveBeenCalled()

    expect(clock.timeZone).toBeTruthy()
    expect(zone).toHaveBeenCalled()
    void clock.locale
    expect(languages.mock.calls.length).toBe(navigator.languages.length)
    expect(navigator.languages.length).toBeGreaterThan(0)
  })

  it('moves "Today" to "Yesterday" at the local midnight, once a time has been shown', () => {
    vi.useFakeTimers({ now: Date.UTC(2026, 11, 1, 21, 0) })
    const clock = useClockStore()
    clock.timeZone = 'Europe/London'
    const day = clock.formatter.day(Date.UTC(2026, 11, 1, 12, 0))
    expect(clock.dayHeading(day)).toBe('Today')

    // The midnight timer starts in the task after the first read; 3 h later it is 2 December in London.
    vi.advanceTimersByTime(3 * 60 * 60_000 + 2_000)
    expect(clock.dayHeading(day)).toBe('Yesterday')
  })
})
