/**
 * The one timer type every part of sync is given, so tests drive time with a
 * fake (tests/fixtures/timers.ts) and nothing in sync reads the wall clock
 * or schedules on it directly.
 */

/** Opaque: whatever `setTimeout` returned, handed back to `clearTimeout`. */
export type TimerHandle = unknown

export interface Timers {
  /** Milliseconds since the epoch. */
  now: () => number
  /** Run `fn` once after `ms` milliseconds. */
  setTimeout: (fn: () => void, ms: number) => TimerHandle
  /** Cancel a timer that has not run yet; a handle that already ran is ignored. */
  clearTimeout: (handle: TimerHandle) => void
}

/** The real clock and timers of the page, the service worker or Node. */
export const systemTimers: Timers = {
  now: () => Date.now(),
  setTimeout: (fn, ms) => globalThis.setTimeout(fn, ms),
  clearTimeout: (handle) => globalThis.clearTimeout(handle as ReturnType<typeof setTimeout>),
}

/** One pending timer at most: setting it again replaces the one waiting (a retry, a debounce). */
export interface TimerSlot {
  set(fn: () => void, ms: number): void
  clear(): void
  readonly pending: boolean
}

export function timerSlot(timers: Timers): TimerSlot {
  // Boxed: a handle is `unknown` and may itself be null-ish on some platforms.
  let armed: { handle: TimerHandle } | null = null
  const clear = () => {
    if (armed !== null) timers.clearTimeout(armed.handle)
    armed = null
  }
  return {
    set(fn, ms) {
      clear()
      armed = {
        handle: timers.setTimeout(() => {
          armed = null
          fn()
        }, ms),
      }
    },
    clear,
    get pending() {
      return armed !== null
    },
  }
}
