import { describe, expect, it } from 'vitest'
import { makeEvent } from '../../tests/fixtures/events'
import { isClockAhead, medianOffset, offsetSample, shiftStamps } from './clock-offset'
import { formatHlc, hlcMillis } from './hlc'

describe('clock offset', () => {
  it('samples against the middle of the round trip, and takes the median', () => {
    expect(offsetSample(10_000, 1000, 1200)).toBe(8900)
    expect(medianOffset([])).toBeNull()
    expect(medianOffset([5, -100, 7, 6, 1_000_000])).toBe(6)
  })

  it('is ahead only past 2 minutes', () => {
    expect(isClockAhead(formatHlc({ ms: 120_000, counter: 9, node: 'a' }), 0)).toBe(false)
    expect(isClockAhead(formatHlc({ ms: 120_001, counter: 0, node: 'a' }), 0)).toBe(true)
  })

  it('shifts from `at`, keeps order and ids, and never goes past the latest time', () => {
    const a = makeEvent(
      'log.entry',
      {},
      { at: new Date(5000).toISOString(), hlc: formatHlc({ ms: 9000, counter: 0, node: 'n' }) },
    )
    const b = makeEvent(
      'log.entry',
      {},
      { at: new Date(4000).toISOString(), hlc: formatHlc({ ms: 9000, counter: 1, node: 'n' }) },
    )
    const c = makeEvent(
      'log.entry',
      {},
      { at: new Date(8000).toISOString(), hlc: formatHlc({ ms: 9001, counter: 0, node: 'n' }) },
    )
    const [x, y, z] = shiftStamps([a, b, c], 1000, 8500)
    expect([x!.id, y!.id, z!.id]).toEqual([a.id, b.id, c.id])
    expect(x!.hlc).toBe(formatHlc({ ms: 6000, counter: 0, node: 'n' }))
    // Its `at` says earlier, but order is kept: it takes the next counter.
    expect(y!.hlc).toBe(formatHlc({ ms: 6000, counter: 1, node: 'n' }))
    expect(hlcMillis(z!.hlc)).toBe(8500)
    expect(z!.at).toBe(new Date(8500).toISOString())
    expect(y!.payload).toEqual(b.payload)
  })
})
