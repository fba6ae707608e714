/**
 * Every time the app shows or exports, written in one place. Pure: the zone,
 * the locale and the 12/24-hour choice come in as arguments (the UI passes the
 * phone's), so tests can render New York and London side by side.
 *
 * Two rules the rest of the app relies on:
 * - On screen, a time of day alone only for today; other days carry their date,
 *   and on a day when the clocks change every time carries its zone name, so
 *   the two 01:30s of an autumn night never read the same.
 * - In exports, every time is ISO 8601 style with its UTC offset
 *   (`2026-11-01 01:30 -04:00`, ASCII hyphen-minus), and the zone is named once.
 */

/** The runtime's default date format (as `toLocaleDateString()`), made once: a list of 5,000 old incidents made one per card per render. */
let defaultDate: Intl.DateTimeFormat | undefined

/**
 * Times as a responder reads them: relative while recent (`just now`,
 * `12 min ago`, `3 h ago`), the date in the runtime's default format after a day.
 */
export function formatAgo(iso: string, now: number): string {
  const minutes = Math.round((now - Date.parse(iso)) / 60_000)
  if (minutes < 1) return 'just now'
  if (minutes < 60) return `${minutes} min ago`
  const hours = Math.round(minutes / 60)
  if (hours < 24) return `${hours} h ago`
  return (defaultDate ??= new Intl.DateTimeFormat()).format(new Date(iso))
}

/** A 12-hour (`1:30 PM`) or 24-hour (`13:30`) clock. */
export type HourCycle = 'h12' | 'h23'

export interface TimeOptions {
  /** IANA zone name, e.g. `America/New_York`; the phone's is `Intl.DateTimeFormat().resolvedOptions().timeZone`. */
  timeZone: string
  /** BCP 47 tags, most preferred first (`navigator.languages`); empty or absent means the runtime's default. */
  locale?: string | readonly string[]
  /** Absent: the locale's own clock (the web cannot read the phone's 12/24-hour switch). */
  hourCycle?: HourCycle
}

/** One calendar day in a zone. */
export interface LocalDay {
  /** `YYYY-MM-DD` in the zone: equal keys are the same day. */
  key: string
  /** First instant of the day, and of the next (ms since the epoch): 23 or 25 hours apart on a clock change. */
  start: number
  end: number
  /** The UTC offset differs between the day's start and end, so some time of day on it names two moments (or none). */
  clockChanges: boolean
}

interface WallTime {
  year: number
  month: number
  day: number
  hour: number
  minute: number
  /** Local minus UTC, in ms (New York in winter: -5 h). */
  offset: number
}

const DAY_MS = 86_400_000

// One parts formatter per zone for the page's life: creating one costs ~1 ms, and
// exports and the timeline ask for thousands of times.
const wallFormats = new Map<string, Intl.DateTimeFormat>()

function wallFormat(timeZone: string): Intl.DateTimeFormat {
  let f = wallFormats.get(timeZone)
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', {
      timeZone,
      hourCycle: 'h23',
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      second: '2-digit',
    })
    wallFormats.set(timeZone, f)
  }
  return f
}

/** The wall clock in `timeZone` at `ms`, and the zone's UTC offset then. */
function wallTime(ms: number, timeZone: string): WallTime {
  const n = { year: 0, month: 1, day: 1, hour: 0, minute: 0, second: 0 }
  for (const part of wallFormat(timeZone).formatToParts(ms))
    if (part.type in n) n[part.type as keyof typeof n] = Number(part.value)
  const wallMs = Date.UTC(n.year, n.month - 1, n.day, n.hour, n.minute, n.second)
  return { ...n, offset: wallMs - Math.floor(ms / 1000) * 1000 }
}

const offsetAt = (ms: number, timeZone: string): number => wallTime(ms, timeZone).offset

/**
 * The first instant whose wall clock reads `wallMs` (a local time written as if
 * UTC), starting from a guessed offset. Two probes at most; where the clocks
 * jump over that time (a spring-forward at midnight), the instant after the jump.
 */
function instantOfWall(wallMs: number, guess: number, timeZone: string): number {
  const u = wallMs - guess
  const o = offsetAt(u, timeZone)
  if (o === guess) return u
  const u2 = wallMs - o
  return offsetAt(u2, timeZone) === o ? u2 : Math.max(u, u2)
}

const pad = (n: number): string => String(n).padStart(2, '0')

function computeDay(ms: number, timeZone: string): LocalDay {
  const w = wallTime(ms, timeZone)
  const key = `${String(w.year).padStart(4, '0')}-${pad(w.month)}-${pad(w.day)}`
  const start = instantOfWall(Date.UTC(w.year, w.month - 1, w.day), w.offset, timeZone)
  const end = instantOfWall(Date.UTC(w.year, w.month - 1, w.day + 1), w.offset, timeZone)
  // A zone the probes above do not fit: a one-instant day that always names its zone.
  if (!(start <= ms && ms < end)) return { key, start: ms, end: ms + 1, clockChanges: true }
  return { key, start, end, clockChanges: end - start !== DAY_MS }
}

/** `+00:00`, `-04:00`, `+05:30`: an offset in ms as ISO 8601 writes it (ASCII signs; zero is `+`). */
export function formatOffset(offset: number): string {
  const minutes = Math.round(Math.abs(offset) / 60_000)
  return `${offset < 0 ? '-' : '+'}${pad(Math.floor(minutes / 60))}:${pad(minutes % 60)}`
}

/**
 * `2026-11-01 01:30 -04:00`: date, 24-hour time and UTC offset in `timeZone`.
 * One reading only, in any locale, for documents that leave the phone.
 * Throws RangeError for an unknown zone.
 */
export function formatIsoLocal(ms: number, timeZone: string): string {
  const w = wallTime(ms, timeZone)
  return `${String(w.year).padStart(4, '0')}-${pad(w.month)}-${pad(w.day)} ${pad(w.hour)}:${pad(w.minute)} ${formatOffset(w.offset)}`
}

/** Times for one exported document, which says its zone once at the top. */
export interface ExportTimes {
  /** `2026-11-01 01:30 -04:00` for an ISO timestamp; remembers the offset for `zoneNote`. */
  format: (iso: string) => string
  /** `Times are in America/New_York (UTC-04:00/-05:00).`: the offsets met so far, oldest first. */
  zoneNote: () => string
}

/** A formatter for one export in `timeZone`: call `zoneNote` after formatting every time. */
export function createExportTimes(timeZone: string): ExportTimes {
  // Offset → earliest instant it was met at, so the note lists them in the order they applied.
  const offsets = new Map<number, number>()
  return {
    format(iso) {
      const ms = Date.parse(iso)
      const offset = offsetAt(ms, timeZone)
      const seen = offsets.get(offset)
      if (seen === undefined || ms < seen) offsets.set(offset, ms)
      return formatIsoLocal(ms, timeZone)
    },
    zoneNote() {
      const list = [...offsets].sort((a, b) => a[1] - b[1]).map(([offset]) => formatOffset(offset))
      return list.length ? `Times are in ${timeZone} (UTC${list.join('/')}).` : `Times are in ${timeZone}.`
    },
  }
}

/** Times on screen, in one zone, locale and clock. Formatters are made once, on first use. */
export interface TimeFormatter {
  readonly options: Readonly<TimeOptions>
  /** The day `ms` falls on. O(1) for the last few days met, so a pass over 10,000 entries costs a few Intl calls per day. */
  day: (ms: number) => LocalDay
  /** Time of day (`01:30`, `1:30 AM`), with the zone name (`EDT`) on a day when the clocks change. */
  clock: (ms: number) => string
  /** `clock` for a time on the same day as `now`; otherwise with its date (`Sat 31 Oct, 01:30`, the year when not this year's). */
  at: (ms: number, now: number) => string
  /** `Today`, `Yesterday` (in the locale's words), else the date (`Sat 28 Nov`; the year when not this year's). */
  dayHeading: (day: LocalDay, now: number) => string
  /** Date with year, time of day and zone name (`Tue, 1 Dec 2026, 15:03 CET`): a moment read out of context, as in a notice. */
  full: (ms: number) => string
}

/** How many recent days `day()` remembers: a timeline spans a few, an export a few more. */
const DAYS_KEPT = 16

/**
 * A formatter for the given zone, locale and clock. Throws RangeError for an
 * unknown zone or a malformed locale tag.
 */
export function createTimeFormatter(options: TimeOptions): TimeFormatter {
  const { timeZone, hourCycle } = options
  const locale =
    options.locale === undefined || typeof options.locale === 'string' ? options.locale : [...options.locale]
  // 2-digit hours for a forced 24-hour clock: `en-GB` with a numeric hour writes `1:30`, not the `01:30` it shows by default.
  const hour: Intl.DateTimeFormatOptions =
    hourCycle === 'h23'
      ? { hour: '2-digit', minute: '2-digit', hourCycle }
      : { hour: 'numeric', minute: '2-digit', ...(hourCycle ? { hourCycle } : {}) }
  const made = new Map<string, Intl.DateTimeFormat>()
  const fmt = (name: string, extra: Intl.DateTimeFormatOptions, withTime = true): Intl.DateTimeFormat => {
    let f = made.get(name)
    if (!f) {
      f = new Intl.DateTimeFormat(locale, { timeZone, ...(withTime ? hour : {}), ...extra })
      made.set(name, f)
    }
    return f
  }
  const date: Intl.DateTimeFormatOptions = { weekday: 'short', day: 'numeric', month: 'short' }
  const zone: Intl.DateTimeFormatOptions = { timeZoneName: 'short' }
  let relative: Intl.RelativeTimeFormat | null = null

  const days: LocalDay[] = []
  let last: LocalDay | null = null
  function day(ms: number): LocalDay {
    // Neighbours in a list are mostly on the same day: try the last answer first.
    if (last && last.start <= ms && ms < last.end) return last
    for (const d of days) if (d.start <= ms && ms < d.end) return (last = d)
    const d = computeDay(ms, timeZone)
    days.unshift(d)
    if (days.length > DAYS_KEPT) days.pop()
    return (last = d)
  }

  function clock(ms: number): string {
    return day(ms).clockChanges ? fmt('time-zone', zone).format(ms) : fmt('time', {}).format(ms)
  }

  function at(ms: number, now: number): string {
    const d = day(ms)
    const today = day(now)
    if (d.key === today.key) return clock(ms)
    const year = d.key.slice(0, 4) !== today.key.slice(0, 4)
    const name = `date${year ? '-year' : ''}${d.clockChanges ? '-zone' : ''}`
    return fmt(name, { ...date, ...(year ? { year: 'numeric' } : {}), ...(d.clockChanges ? zone : {}) }).format(ms)
  }

  function dayHeading(d: LocalDay, now: number): string {
    const today = day(now)
    const back = d.key === today.key ? 0 : d.key === day(today.start - 1).key ? -1 : null
    if (back !== null) {
      relative ??= new Intl.RelativeTimeFormat(locale, { numeric: 'auto' })
      const words = relative.format(back, 'day')
      return words.charAt(0).toLocaleUpperCase(locale) + words.slice(1)
    }
    const year = d.key.slice(0, 4) !== today.key.slice(0, 4)
    return fmt(`heading${year ? '-year' : ''}`, { ...date, ...(year ? { year: 'numeric' } : {}) }, false).format(
      d.start,
    )
  }

  function full(ms: number): string {
    return fmt('full', { ...date, year: 'numeric', ...zone }).format(ms)
  }

  return { options, day, clock, at, dayHeading, full }
}
