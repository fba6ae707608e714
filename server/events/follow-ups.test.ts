import { afterEach, describe, expect, it, vi } from 'vitest'
import { FOLLOW_UP_DELAY_MS, followUp } from './follow-ups'

afterEach(() => vi.useRealTimers())

describe('the work that follows a push', () => {
  it('runs once, FOLLOW_UP_DELAY_MS after the first growth, for every growth of that moment', () => {
    vi.useFakeTimers()
    const work = vi.fn()
    const next = followUp(work)
    next.ask()
    vi.advanceTimersByTime(FOLLOW_UP_DELAY_MS - 1)
    next.ask()
    next.ask()
    expect(work).not.toHaveBeenCalled()
    vi.advanceTimersByTime(1)
    expect(work).toHaveBeenCalledTimes(1)
    // A growth after the run is followed again.
    next.ask()
    vi.advanceTimersByTime(FOLLOW_UP_DELAY_MS)
    expect(work).toHaveBeenCalledTimes(2)
  })

  it('runs nothing once cancelled, what was asked for included', () => {
    vi.useFakeTimers()
    const work = vi.fn()
    const next = followUp(work, 5)
    next.ask()
    next.cancel()
    next.ask()
    vi.advanceTimersByTime(100)
    expect(work).not.toHaveBeenCalled()
  })
})
