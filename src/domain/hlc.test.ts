import { describe, expect, it } from 'vitest'
import { HybridClock, MAX_DRIFT_MS, formatHlc, hlcMillis, parseHlc, receive, tick } from './hlc'

describe('hybrid logical clock', () => {
  it('formats so that string order is clock order', () => {
    const a = formatHlc({ ms: 5, counter: 10, node: 'b' })
    const b = formatHlc({ ms: 40, counter: 0, node: 'a' })
    expect(a).toBe('000000000000005:00010:b')
    expect(a < b).toBe(true)
    expect(parseHlc(a)).toEqual({ ms: 5, counter: 10, node: 'b' })
    expect(hlcMillis(b)).toBe(40)
  })

  it('refuses malformed strings', () => {
    expect(parseHlc('12:1:x')).toBeNull()
    expect(parseHlc('000000000000005:00010:bad node')).toBeNull()
  })

  it('follows the wall clock when it moves forward', () => {
    expect(tick({ ms: 100, counter: 3, node: 'n' }, 200)).toEqual({ ms: 200, counter: 0, node: 'n' })
  })

  it('never goes backwards when the wall clock jumps back', () => {
    let now = 1_000_000
    const clock = new HybridClock('phone', () => now)
    const first = clock.next()
    now -= 60_000
    const second = clock.next()
    const third = clock.next()
    expect(second > first).toBe(true)
    expect(third > second).toBe(true)
    expect(hlcMillis(third)).toBe(1_000_000)
  })

  it('carries into the next millisecond when the counter is exhausted', () => {
    expect(tick({ ms: 7, counter: 99999, node: 'n' }, 7)).toEqual({ ms: 8, counter: 0, node: 'n' })
  })

  it('continues after the persisted value across a reload', () => {
    const saved: string[] = []
    const first = new HybridClock(
      'phone',
      () => 5_000,
      null,
      (s) => saved.push(s),
    )
    first.next()
    first.next()
    const reloaded = new HybridClock('phone', () => 1_000, saved.at(-1))
    expect(reloaded.next() > saved.at(-1)!).toBe(true)
  })

  it('orders local events after a received remote one', () => {
    let now = 1_000
    const clock = new HybridClock('a', () => now)
    clock.receive(formatHlc({ ms: 9_000, counter: 4, node: 'b' }))
    const next = clock.next()
    expect(next > formatHlc({ ms: 9_000, counter: 4, node: 'b' })).toBe(true)
    now = 20_000
    expect(hlcMillis(clock.next())).toBe(20_000)
  })

  // [local ms, local counter, remote ms, remote counter, now] → [ms, counter] of the merged stamp (node stays 'a').
  it.each([
    [10, 2, 10, 7, 5, 10, 8],
    [10, 2, 9, 7, 5, 10, 3],
    [8, 2, 9, 7, 5, 9, 8],
    [8, 2, 9, 7, 50, 50, 0],
  ])(
    'merges equal physical times by taking the larger counter: local %i:%i, remote %i:%i, now %i → %i:%i',
    (ms, counter, remoteMs, remoteCounter, now, mergedMs, mergedCounter) => {
      expect(receive({ ms, counter, node: 'a' }, { ms: remoteMs, counter: remoteCounter, node: 'b' }, now)).toEqual({
        ms: mergedMs,
        counter: mergedCounter,
        node: 'a',
      })
    },
  )

  it('does not adopt a remote clock far in the future', () => {
    const last = { ms: 10, counter: 0, node: 'a' }
    expect(receive(last, { ms: 10 + MAX_DRIFT_MS * 2, counter: 0, node: 'b' }, 10)).toBe(last)
    const clock = new HybridClock('a', () => 10)
    clock.receive('garbage')
    expect(clock.current).toBe('000000000000000:00000:a')
  })

  it('adopts a remote time up to 2 minutes ahead of corrected time, and none further (was 24 h)', () => {
    const last = { ms: 10, counter: 0, node: 'a' }
    expect(MAX_DRIFT_MS).toBe(120_000)
    expect(receive(last, { ms: 1000 + 120_000, counter: 0, node: 'b' }, 1000)).toEqual({
      ms: 121_000,
      counter: 1,
      node: 'a',
    })
    expect(receive(last, { ms: 1000 + 120_001, counter: 0, node: 'b' }, 1000)).toBe(last)
    expect(receive(last, { ms: 1000 + 3 * 3_600_000, counter: 0, node: 'b' }, 1000)).toBe(last)
  })

  it('rebase: drops a last stamp over 2 minutes ahead of the present, keeps one within', () => {
    let now = 1_000_000
    const saved: string[] = []
    const year = 365 * 24 * 3_600_000
    const clock = new HybridClock(
      'a',
      () => now,
      formatHlc({ ms: now + year, counter: 3, node: 'a' }),
      (s) => saved.push(s),
    )
    clock.rebase()
    expect(clock.next()).toBe(formatHlc({ ms: now, counter: 1, node: 'a' }))
    now += 10
    const within = new HybridClock('a', () => now, formatHlc({ ms: now + 60_000, counter: 0, node: 'a' }))
    within.rebase()
    expect(within.next()).toBe(formatHlc({ ms: now + 60_000, counter: 1, node: 'a' }))
    expect(saved[0]).toBe(formatHlc({ ms: 1_000_000, counter: 0, node: 'a' }))
  })

  it('rejects an invalid node id', () => {
    expect(() => new HybridClock('bad node')).toThrow(/node/)
  })
})
