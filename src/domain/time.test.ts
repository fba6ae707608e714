import { describe, expect, it } from 'vitest'
import { DANA, MIN, incidentScript } from '../../tests/fixtures/incident-script'
import { activityLogMarkdown, incidentMarkdown } from './export'
import { createExportTimes, createTimeFormatter, formatAgo, formatIsoLocal, formatOffset } from './time'
import type { TimeFormatter } from './time'
import { timelineDayStarts, timelineItems } from './timeline'
import type { TimelineItem } from './timeline'

const HOUR = 60 * MIN
const DAY = 24 * HOUR

/**
 * The autumn clock change in each zone: 01:30 on the day comes twice. The
 * script logs 01:30 the day before, both 01:30s of the day (a failover that
 * "started 01:30 … finished 01:30", an hour apart), and 01:30 the day after.
 */
const ZONES = [
  // 2026-11-01 02:00 EDT → 01:00 EST: 01:30 EDT is 05:30Z, 01:30 EST is 06:30Z.
  { timeZone: 'America/New_York', locale: 'en-US', dayBefore0130: Date.UTC(2026, 9, 31, 5, 30) },
  // 2026-10-25 02:00 BST → 01:00 GMT: 01:30 BST is 00:30Z, 01:30 GMT is 01:30Z.
  { timeZone: 'Europe/London', locale: 'en-GB', dayBefore0130: Date.UTC(2026, 9, 24, 0, 30) },
] as const

function aroundTheChange(dayBefore0130: number) {
  const s = incidentScript({ title: 'Uplink failover' }, { start: dayBefore0130 - 30 * MIN - 1 })
  s.wait(30)
  s.add('log.entry', { text: 'Day before, 01:30', kind: 'note' })
  s.now = dayBefore0130 + DAY - 1
  s.add('log.entry', { text: 'Failover started', kind: 'action' })
  s.now = dayBefore0130 + DAY + HOUR - 1
  s.add('log.entry', { text: 'Failover finished', kind: 'action' })
  s.now = dayBefore0130 + 2 * DAY + HOUR - 1
  s.add('log.entry', { text: 'Day after, 01:30', kind: 'note' })
  return s
}

/** What a reader sees for each row: the heading above its day, and its own time. */
function readTimeline(items: readonly TimelineItem[], fmt: TimeFormatter, now: number): string[] {
  const starts = timelineDayStarts(items, fmt.day)
  let heading = ''
  return items.map((item, i) => {
    const day = starts.get(i)
    if (day) heading = fmt.dayHeading(day, now)
    return `${heading} | ${fmt.at(item.atMs, now)}`
  })
}

/** Moments to the minute: two entries in one minute may read the same, two minutes may not. */
const minuteOf = (iso: string): number => Math.floor(Date.parse(iso) / MIN)

function expectNoTwoMomentsAlike(lines: readonly string[], moments: readonly number[]): void {
  const byLine = new Map<string, number>()
  lines.forEach((line, i) => {
    const seen = byLine.get(line)
    if (seen !== undefined) expect(moments[i], `"${line}" names two moments`).toBe(seen)
    byLine.set(line, moments[i]!)
  })
}

describe.each(ZONES)('around the autumn clock change in $timeZone', ({ timeZone, locale, dayBefore0130 }) => {
  const s = aroundTheChange(dayBefore0130)
  const state = s.fold()
  const items = timelineItems(state)
  const moments = items.map((item) => minuteOf(item.event.at))

  it('the timeline never shows two moments alike, read the day after or on the day', () => {
    const fmt = createTimeFormatter({ timeZone, locale })
    for (const now of [dayBefore0130 + 2 * DAY + 10 * HOUR, dayBefore0130 + DAY + 10 * HOUR]) {
      const lines = readTimeline(items, fmt, now)
      expect(new Set(moments).size).toBe(5)
      expectNoTwoMomentsAlike(lines, moments)
    }
  })

  it('the export never writes two moments alike, and names the zone once with both offsets', () => {
    for (const text of [
      incidentMarkdown(state, { now: s.now, timeZone }),
      activityLogMarkdown(state, { now: s.now, timeZone }),
    ]) {
      const lines = text.split('\n').filter((l) => /^- \d{4}-\d\d-\d\d \d\d:\d\d [+-]\d\d:\d\d /.test(l))
      const timeline = lines.slice(-5)
      expect(timeline).toHaveLength(5)
      const stamps = timeline.map((l) => l.slice(2, 25))
      expect(new Set(stamps).size).toBe(5)
      expect(text.match(/Times are in /g)).toHaveLength(1)
      expect(text).toContain(`Times are in ${timeZone} (UTC`)
      // No 12-hour times beside the 24-hour dates.
      expect(text).not.toMatch(/\d:\d\d\s?(AM|PM|am|pm)/)
    }
  })

  it('reads as a person expects, 24-hour and 12-hour', () => {
    const now = dayBefore0130 + 2 * DAY + 10 * HOUR
    const h23 = readTimeline(items, createTimeFormatter({ timeZone, locale, hourCycle: 'h23' }), now)
    const h12 = readTimeline(items, createTimeFormatter({ timeZone, locale, hourCycle: 'h12' }), now)
    if (timeZone === 'America/New_York') {
      expect(h23).toEqual([
        'Today | 01:30',
        'Yesterday | Sun, Nov 1, 01:30 EST',
        'Yesterday | Sun, Nov 1, 01:30 EDT',
        'Sat, Oct 31 | Sat, Oct 31, 01:30',
        'Sat, Oct 31 | Sat, Oct 31, 01:00',
      ])
      expect(h12[1]).toBe('Yesterday | Sun, Nov 1, 1:30 AM EST')
    } else {
      expect(h23).toEqual([
        'Today | 01:30',
        'Yesterday | Sun 25 Oct, 01:30 GMT',
        'Yesterday | Sun 25 Oct, 01:30 BST',
        'Sat 24 Oct | Sat 24 Oct, 01:30',
        'Sat 24 Oct | Sat 24 Oct, 01:00',
      ])
      expect(h12[1]).toBe('Yesterday | Sun 25 Oct, 1:30 am GMT')
    }
  })

  it('every quarter hour over three days: one day per date, one reading per moment', () => {
    const fmt = createTimeFormatter({ timeZone, locale })
    const reference = new Intl.DateTimeFormat('en-CA', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit' })
    const now = dayBefore0130 - DAY
    const lines: string[] = []
    const stamps: string[] = []
    const quarters: number[] = []
    for (let ms = dayBefore0130; ms < dayBefore0130 + 3 * DAY; ms += 15 * MIN) {
      const day = fmt.day(ms)
      expect(day.key).toBe(reference.format(ms))
      expect(day.start <= ms && ms < day.end).toBe(true)
      lines.push(fmt.at(ms, now))
      stamps.push(formatIsoLocal(ms, timeZone))
      quarters.push(ms)
    }
    expectNoTwoMomentsAlike(lines, quarters)
    expectNoTwoMomentsAlike(stamps, quarters)
    // The day of the change is 25 hours long, and only that day says it changes.
    const change = fmt.day(dayBefore0130 + DAY)
    expect(change.end - change.start).toBe(25 * HOUR)
    expect(change.clockChanges).toBe(true)
    expect(fmt.day(dayBefore0130).clockChanges).toBe(false)
  })
})

describe('export times', () => {
  it('writes date, 24-hour time and the UTC offset with ASCII signs', () => {
    expect(formatIsoLocal(Date.UTC(2026, 10, 1, 5, 30), 'America/New_York')).toBe('2026-11-01 01:30 -04:00')
    expect(formatIsoLocal(Date.UTC(2026, 10, 1, 6, 30), 'America/New_York')).toBe('2026-11-01 01:30 -05:00')
    expect(formatIsoLocal(Date.UTC(2026, 10, 1, 18, 5), 'Asia/Kolkata')).toBe('2026-11-01 23:35 +05:30')
    expect(formatIsoLocal(Date.UTC(2026, 10, 1, 18, 5), 'UTC')).toBe('2026-11-01 18:05 +00:00')
    expect(formatOffset(0)).toBe('+00:00')
    expect(formatOffset(-4 * HOUR)).toBe('-04:00')
  })

  it('names the zone with the offsets met, in the order they applied', () => {
    const times = createExportTimes('America/New_York')
    expect(times.zoneNote()).toBe('Times are in America/New_York.')
    times.format('2026-11-02T12:00:00Z')
    times.format('2026-11-01T05:30:00Z')
    expect(times.zoneNote()).toBe('Times are in America/New_York (UTC-04:00/-05:00).')
  })
})

describe('time formatter', () => {
  const fmt = createTimeFormatter({ timeZone: 'Europe/London', locale: 'en-GB' })
  const now = Date.UTC(2026, 10, 28, 15, 0)

  it('heads days Today, Yesterday, then their date, with the year when not this one', () => {
    expect(fmt.dayHeading(fmt.day(now - 3 * HOUR), now)).toBe('Today')
    expect(fmt.dayHeading(fmt.day(now - DAY), now)).toBe('Yesterday')
    expect(fmt.dayHeading(fmt.day(now - 2 * DAY), now)).toBe('Thu 26 Nov')
    expect(fmt.dayHeading(fmt.day(now - 365 * DAY), now)).toBe('Fri, 28 Nov 2025')
    const de = createTimeFormatter({ timeZone: 'Europe/Berlin', locale: 'de-DE' })
    expect(de.dayHeading(de.day(now - DAY), now)).toBe('Gestern')
  })

  it('writes a moment in full, with its year and zone, whatever day it is', () => {
    const at = Date.UTC(2026, 11, 1, 14, 3)
    expect(createTimeFormatter({ timeZone: 'Europe/Berlin', locale: 'en-GB' }).full(at)).toBe(
      'Tue, 1 Dec 2026, 15:03 CET',
    )
    expect(createTimeFormatter({ timeZone: 'UTC', locale: 'en-US' }).full(at)).toBe('Tue, Dec 1, 2026, 2:03 PM UTC')
  })

  it('follows the 12/24-hour choice over the locale', () => {
    const us = (hourCycle?: 'h12' | 'h23') => createTimeFormatter({ timeZone: 'UTC', locale: 'en-US', hourCycle })
    const at = Date.UTC(2026, 10, 28, 13, 5)
    expect(us().clock(at)).toBe('1:05 PM')
    expect(us('h23').clock(at)).toBe('13:05')
    expect(createTimeFormatter({ timeZone: 'UTC', locale: 'en-GB', hourCycle: 'h12' }).clock(at)).toBe('1:05 pm')
    expect(
      createTimeFormatter({ timeZone: 'UTC', locale: 'en-GB', hourCycle: 'h23' }).clock(Date.UTC(2026, 0, 1, 9)),
    ).toBe('09:00')
  })

  it('groups 10,000 entries in one pass, asking Intl a few times per day', () => {
    const items = Array.from(
      { length: 10_000 },
      (_, i) => ({ atMs: now - i * MIN, event: { actor: DANA } }) as unknown as TimelineItem,
    )
    const counted = createTimeFormatter({ timeZone: 'Europe/London', locale: 'en-GB' })
    let calls = 0
    const original = Intl.DateTimeFormat.prototype.formatToParts
    Intl.DateTimeFormat.prototype.formatToParts = function (this: Intl.DateTimeFormat, d) {
      calls++
      return original.call(this, d)
    }
    try {
      const starts = timelineDayStarts(items, counted.day, 0)
      // 10,000 minutes back from 15:00 on the 28th: the 28th, and six days before it.
      expect([...starts.values()].map((d) => d.key)).toEqual([
        '2026-11-28',
        '2026-11-27',
        '2026-11-26',
        '2026-11-25',
        '2026-11-24',
        '2026-11-23',
        '2026-11-22',
        '2026-11-21',
      ])
      expect(calls).toBeLessThan(8 * 5)
    } finally {
      Intl.DateTimeFormat.prototype.formatToParts = original
    }
  })

  it('starts a heading where the unpinned entries begin', () => {
    const items = [now, now - MIN, now - 2 * MIN].map((ms) => ({ atMs: ms }) as unknown as TimelineItem)
    expect([...timelineDayStarts(items, fmt.day, 1).keys()]).toEqual([0, 1])
  })
})

describe('formatAgo', () => {
  const now = Date.parse('2026-12-02T15:00:00Z')
  it('is relative for a day, then the date as the runtime writes it by default', () => {
    expect(formatAgo('2026-12-02T14:59:50Z', now)).toBe('just now')
    expect(formatAgo('2026-12-02T14:48:00Z', now)).toBe('12 min ago')
    expect(formatAgo('2026-12-02T12:00:00Z', now)).toBe('3 h ago')
    for (const iso of ['2026-11-30T09:00:00Z', '2025-01-05T23:30:00Z'])
      expect(formatAgo(iso, now)).toBe(new Date(iso).toLocaleDateString())
  })
})
