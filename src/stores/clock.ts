import { defineStore, acceptHMRUpdate } from 'pinia'
import { computed, onScopeDispose, ref } from 'vue'
import { createTimeFormatter } from '../domain/time'
import type { HourCycle, LocalDay, TimeFormatter } from '../domain/time'

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
 * How this phone writes times: its zone and languages, and the 12/24-hour
 * choice from Settings. Components show every time through `at`, so the
 * choice holds everywhere; `timeZone` also names the zone in exports.
 */
export const useClockStore = defineStore('clock', () => {
  const choice = ref<ClockChoice>(readChoice())
  /** The phone's zone and languages as of the start (refs, so a test can set New York or London). */
  const timeZone = ref(phoneZone())
  const locale = ref<readonly string[]>(phoneLocales())
  /** Moved on at each local midnight, so "Today" and the dates on entries follow the calendar. */
  const now = ref(Date.now())

  const formatter = computed<TimeFormatter>(() =>
    createTimeFormatter({
      timeZone: timeZone.value,
      locale: locale.value,
      hourCycle: choice.value === 'phone' ? undefined : choice.value,
    }),
  )

  let timer: ReturnType<typeof setTimeout> | undefined
  function untilMidnight(): void {
    clearTimeout(timer)
    const wait = formatter.value.day(Date.now()).end - Date.now()
    timer = setTimeout(
      () => {
        now.value = Date.now()
        untilMidnight()
      },
      Math.max(1000, wait + 1000),
    )
  }
  untilMidnight()
  onScopeDispose(() => clearTimeout(timer))

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

  return { choice, timeZone, locale, now, formatter, setChoice, at, dayHeading }
})

if (import.meta.hot) import.meta.hot.accept(acceptHMRUpdate(useClockStore, import.meta.hot))
