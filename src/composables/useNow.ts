import { onScopeDispose, ref, type Ref } from 'vue'
import { useClockStore } from '../stores/clock'

export interface UseNowOptions {
  /** How often to tick, in ms. */
  interval?: number
}

/**
 * The current time, ticking, so "3 min ago" and "update due in 12 min" stay true.
 * Corrected by the server's clock (the clock store), so a phone whose clock is
 * wrong still says when the next update is really due.
 *
 * Hand-written on purpose: VueUse's useTimestamp does the same but added 2.1 kB
 * gzip to the first screen (IncidentsView uses this), measured with vite build.
 */
export function useNow(options: UseNowOptions = {}): Ref<number> {
  const clock = useClockStore()
  const now = ref(clock.correctedNow())
  const timer = setInterval(() => {
    now.value = clock.correctedNow()
  }, options.interval ?? 30_000)
  onScopeDispose(() => clearInterval(timer))
  return now
}
