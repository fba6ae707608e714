/**
 * The benchmark's own arithmetic and data (bench/): a wrong percentile or a
 * budget checked the wrong way round would report a pass that is not one.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { CommandPostDatabase, SyncState } from '../../src/db/database'
import { appendLocalEvents, storeRemoteEvents } from '../../src/db/events'
import { validateEvent } from '../../src/domain/events'
import { foldIncident } from '../../src/domain/fold'
import { arrivalOrder, generateIncident, generateIncidents } from '../../bench/lib/events'
import { Recorder, table, type MetricSpec } from '../../bench/lib/metrics'
import { storedRows } from '../../bench/lib/phone'
import { median, percentile, rng } from '../../bench/lib/stats'
import { shellAssets } from '../../bench/suites/bundle'

describe('bench statistics', () => {
  it('takes nearest-rank percentiles and medians', () => {
    const samples = Array.from({ length: 100 }, (_, i) => 100 - i) // 100..1, unsorted on purpose
    expect(percentile(samples, 95)).toBe(95)
    expect(percentile(samples, 100)).toBe(100)
    expect(percentile([7], 95)).toBe(7)
    expect(median([3, 1, 2])).toBe(2)
    expect(median([4, 1, 3, 2])).toBe(2.5)
  })

  it('gives the same numbers for the same seed', () => {
    const a = rng(42)
    const b = rng(42)
    const seqA = Array.from({ length: 5 }, a)
    expect(Array.from({ length: 5 }, b)).toEqual(seqA)
    expect(seqA.every((x) => x >= 0 && x < 1)).toBe(true)
    expect(Array.from({ length: 5 }, rng(43))).not.toEqual(seqA)
  })
})

describe('bench results', () => {
  const specs: MetricSpec[] = [
    { name: 'slow', unit: 'ms', limitOf: 'floor', budget: { on: 'ratio', op: '<=', n: 3 }, about: '' },
    { name: 'floor', unit: 'ms', about: '' },
    { name: 'rate', unit: 'events/s', budget: { on: 'value', op: '>=', n: 20_000 }, about: '' },
    { name: 'score', unit: 'score', limitValue: 100, budget: { on: 'value', op: '>=', n: 100 }, about: '' },
    { name: 'missing', unit: 'events/s', limitOf: 'floor', about: '' },
  ]

  it('divides by the limit measured in the same run and checks each budget its own way', () => {
    const rec = new Recorder(specs)
    rec.set('floor', 100)
    rec.set('slow', 301)
    rec.set('rate', 20_000)
    rec.set('score', 99)
    rec.skip('missing', 'no sync engine')
    const r = rec.results()
    expect(r.slow).toEqual({ value: 301, unit: 'ms', limit: 100, ratio: 3.01, budget: 3, ok: false })
    expect(r.floor).toEqual({ value: 100, unit: 'ms', limit: null, ratio: null, budget: null, ok: true })
    expect(r.rate!.ok).toBe(true)
    expect(r.score).toMatchObject({ limit: 100, ratio: 0.99, ok: false })
    expect(r.missing).toEqual({
      value: null,
      unit: 'events/s',
      limit: 100,
      ratio: null,
      budget: null,
      ok: true,
      note: 'no sync engine',
    })
    const printed = table(specs, r)
    expect(printed).toContain('| slow | 301 | ms | 100 (floor) | 3.01 | ratio ≤ 3 | **NO** |')
    expect(printed).toContain('n/a: no sync engine')
  })

  it('refuses a metric it does not know', () => {
    expect(() => new Recorder(specs).set('typo', 1)).toThrow(/unknown metric/)
  })
})

describe('bench data', () => {
  it('makes valid events, in clock order, with the timeline size asked for', () => {
    const events = generateIncident({ seed: 1, timelineItems: 500 })
    expect(events.every((e) => validateEvent(e).ok)).toBe(true)
    expect(events.map((e) => e.hlc)).toEqual([...events.map((e) => e.hlc)].sort())
    expect(events.filter((e) => e.type !== 'log.amended')).toHaveLength(500)
    expect(generateIncident({ seed: 1, timelineItems: 500 })).toEqual(events)
    const state = foldIncident(arrivalOrder(events, 2))!
    expect(state.events).toHaveLength(events.length)
    expect(state.orphans.size).toBe(0)
  })

  it('writes the rows src/db writes', async () => {
    const remote = generateIncident({ seed: 3, events: 20 })
    const local = generateIncidents(2, 10, 4)
    const db = new CommandPostDatabase(`bench-rows-${Date.now()}`)
    await storeRemoteEvents(db, remote)
    await appendLocalEvents(db, local)
    expect(await db.events.orderBy('lseq').toArray()).toEqual([
      ...storedRows(remote, 1, SyncState.acknowledged),
      ...storedRows(local, remote.length + 1, SyncState.pending),
    ])
    db.close()
  })

  it("finds the first route's JS and CSS in index.html", () => {
    const dir = mkdtempSync(join(tmpdir(), 'bench-shell-'))
    writeFileSync(
      join(dir, 'index.html'),
      [
        '<script type="module" crossorigin src="/assets/index-a.js"></script>',
        '<link rel="modulepreload" crossorigin href="/assets/vendor-b.js">',
        '<link rel="stylesheet" crossorigin href="/assets/index-c.css">',
        '<link rel="icon" href="/icon.svg">',
        '<link rel="manifest" href="/manifest.webmanifest">',
      ].join('\n'),
    )
    try {
      expect(shellAssets(dir)).toEqual(['/assets/index-a.js', '/assets/vendor-b.js', '/assets/index-c.css'])
    } finally {
      rmSync(dir, { recursive: true, force: true })
    }
  })
})
