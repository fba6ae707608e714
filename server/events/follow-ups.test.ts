import { afterEach, describe, expect, it, vi } from 'vitest'
import { FOLLOW_UP_GAP_MS, followUp } from './follow-ups'

afterEach(() => vi.useRealTimers())

describe('the work that follows a push', () => {
  it('runs on the next turn after the first growth, once for every growth asked before it runs', () => {
    vi.useFakeTimers()
    const work = vi.fn()
    const next = followUp(work)
    next.ask()
    next.ask()
    expect(work).not.toHaveBeenCalled()
    vi.advanceTimersByTime(0)
    expect(work).toHaveBeenCalledTimes(1)
  })

  it('runs at most once per FOLLOW_UP_GAP_MS: growths soon after a run wait for the gap, together', () => {
    vi.useFakeTimers()
    const work = vi.fn()
    const next = followUp(work)
    next.ask()
    vi.advanceTimersByTime(0)
    expect(work).toHaveBeenCalledTimes(1)
    vi.advanceTimersByTime(3)
    next.ask()
    vi.advanceTimersByTime(FOLLOW_UP_GAP_MS - 4)
    next.ask()
    expect(work).toHaveBeenCalledTimes(1)
    vi.advanceTimersByTime(1)
    expect(work).toHaveBeenCalledTimes(2)
    // Past the gap, a growth is followed on the next turn again.
    vi.advanceTimersByTime(FOLLOW_UP_GAP_MS)
    next.ask()
    vi.advanceTimersByTime(0)
    expect(work).toHaveBeenCalledTimes(3)
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
    const later = followUp(work, 5)
    later.ask()
    vi.advanceTimersByTime(0)
    later.ask()
    later.cancel()
    vi.advanceTimersByTime(100)
    expect(work).toHaveBeenCalledTimes(1)
  })
})
