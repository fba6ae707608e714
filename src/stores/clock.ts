import { defineStore, acceptHMRUpdate } from 'pinia'
import { computed, onScopeDispose, ref, shallowRef, type WritableComputedRef } from 'vue'
import { clockWarning } from '../domain/clock-offset'
import { createTimeFormatter } from '../domain/time'
import type { HourCycle, LocalDay, TimeFormatter } from '../domain/time'
import type { LocalData } from '../db/load'
import type { Subscription } from '../db/local'

/** The person's clock: the phone's own (the locale's), or 12- or 24-hour whatever the locale says. */
export type ClockChoice = 'phone' | HourCycle

export const CLOCK_CHOICES: readonly { value: ClockChoice; label: string }[] = [
  { value: 'phone', label: 'Phone default' },
  { value: 'h12', label: '12-hour' },
  { value: 'h23', label: '24-hour' },
]

/**
 * In localStorage, not the database: the first timeline on a start must already
 * use it, without waiting for IndexedDB. A per-phone preference; never synced.
 */
const STORAGE_KEY = 'command-post:clock'

function readChoice(): ClockChoice {
  try {
    const stored = globalThis.localStorage?.getItem(STORAGE_KEY)
    if (stored === 'h12' || stored === 'h23') return stored
  } catch {
    // Blocked storage: the phone's default.
  }
  return 'phone'
}

function phoneZone(): string {
  return Intl.DateTimeFormat().resolvedOptions().timeZone || 'UTC'
}

function phoneLocales(): readonly string[] {
  const languages = globalThis.navigator?.languages ?? []
  // A tag Intl refuses would throw on every time shown: drop it rather than break the screen.
  return languages.filter((tag) => {
    try {
      return Intl.DateTimeFormat.supportedLocalesOf(tag).length > 0
    } catch {
      return false
    }
  })
}

/**
 * A value made when first read, not when the store is made, and settable (a
 * test sets the zone, the midnight timer moves `now`): the phone's first
 * `Intl.DateTimeFormat` (zone, languages, formatters) cost about 95 ms of a
 * 4× CPU cold start, before a first screen that shows no time. A writable
 * computed, so Pinia keeps it as a getter and never reads it while making the
 * store. `onFirstRead` runs once, in a later task (never inside the render that read it).
 */
function lazy<T>(make: () => T, onFirstRead?: () => void): WritableComputedRef<T> {
  const assigned = shallowRef<{ value: T } | null>(null)
  let made: { value: T } | null = null
  return computed({
    get: () => {
      if (assigned.value) return assigned.value.value
      if (!made) {
        made = { value: make() }
        if (onFirstRead) setTimeout(onFirstRead, 0)
      }
      return made.value
    },
    set: (value) => {
      assigned.value = { value }
    },
  })
}

/**
 * How this phone tells and writes times: the present corrected by the
 * server's clock (`correctedNow`, what stamps, cadence and reminders use),
 * its zone and languages, and the 12/24-hour choice from Settings.
 * Components show every time through `at`, so the choice holds everywhere;
 * `timeZone` also names the zone in exports.
 */
export const useClockStore = defineStore('clock', () => {
  const choice = ref<ClockChoice>(readChoice())
  /**
   * server − phone, in ms: the median of recent samples the sync engine
   * stored (src/db/clock-offset.ts); null until this phone has synced once.
   */
  const offsetMs = ref<number | null>(null)
  /** "This phone's clock is 3 h 2 min fast", or null within 2 minutes of the server's. */
  const warning = computed(() => clockWarning(offsetMs.value))
  /** The phone's zone and languages as of the first time shown (refs, so a test can set New York or London). */
  const timeZone = lazy(phoneZone)
  const locale = lazy<readonly string[]>(phoneLocales)
  /** The phone's clock corrected by the server's offset, ms. Reactive: reading it in a computed follows the offset. */
  function correctedNow(): number {
    return Date.now() + (offsetMs.value ?? 0)
  }

  /** Moved on at each local midnight (from the first time shown), so "Today" and the dates on entries follow the calendar. */
  let midnightTimer = false
  const now = lazy(correctedNow, () => {
    midnightTimer = true
    untilMidnight()
  })

  const formatter = computed<TimeFormatter>(() =>
    createTimeFormatter({
      timeZone: timeZone.value,
      locale: locale.value,
      hourCycle: choice.value === 'phone' ? undefined : choice.value,
    }),
  )

  let timer: ReturnType<typeof setTimeout> | undefined
  let disposed = false
  function untilMidnight(): void {
    clearTimeout(timer)
    if (disposed) return
    const wait = formatter.value.day(correctedNow()).end - correctedNow()
    timer = setTimeout(
      () => {
        now.value = correctedNow()
        untilMidnight()
      },
      Math.max(1000, wait + 1000),
    )
  }
  let following: Subscription | null = null
  onScopeDispose(() => {
    disposed = true
    clearTimeout(timer)
    following?.unsubscribe()
  })

  /**
   * Read the stored offset, then follow it as the sync engine (in this tab,
   * another, or the service worker) records new samples. Resolves once the
   * stored one is in hand, so the first event stamped uses it. Safe to call again.
   */
  async function followOffset(local: LocalData): Promise<void> {
    if (following) return
    const db = local.database()
    offsetMs.value = await local.readClockOffset(db)
    following ??= local
      .liveQuery(() => local.readClockOffset(db))
      .subscribe({
        next: (value) => {
          if (value !== offsetMs.value) {
            offsetMs.value = value
            if (midnightTimer) untilMidnight()
          }
        },
      })
  }

  /** Saves the 12/24-hour choice on this phone; every time shown follows at once. */
  function setChoice(next: ClockChoice): void {
    choice.value = next
    try {
      if (next === 'phone') globalThis.localStorage?.removeItem(STORAGE_KEY)
      else globalThis.localStorage?.setItem(STORAGE_KEY, next)
    } catch {
      // Blocked storage: the choice holds until the app closes.
    }
  }

  /** `01:30` today, `Sat 31 Oct, 01:30` on another day, with the zone name on a day the clocks change. */
  function at(iso: string): string {
    return formatter.value.at(Date.parse(iso), now.value)
  }

  /** `Today`, `Yesterday` or `Sat 28 Nov`: a heading for a day in a list. */
  function dayHeading(day: LocalDay): string {
    return formatter.value.dayHeading(day, now.value)
  }

  return {
    choice,
    timeZone,
    locale,
    now,
    offsetMs,
    warning,
    formatter,
    correctedNow,
    followOffset,
    setChoice,
    at,
    dayHeading,
  }
})

if (import.meta.hot) import.meta.hot.accept(acceptHMRUpdate(useClockStore, import.meta.hot))
