/**
 * The work that follows a push on this node (the incident projection's
 * catch-up, the mailer's scan): run at once after the push's answer, and at
 * most once per FOLLOW_UP_GAP_MS. Both read on from their own cursor, so one
 * run covers every growth before it: a node taking pushes from many phones
 * pays their fixed cost once per gap, not once per push.
 *
 * At once, not after a delay: the moment after an answer is the server's idle
 * one, while the phone reads it and sends its next request. A fixed 10 ms
 * delay meant to land the run while the server waited on the database landed
 * it, on the 2-core machines, on the next push's wait for its early read
 * (postgres.ts prepareAppend): that wait grew from about 0.5 to 3 ms a push.
 */

/** The least time between two runs of one follow-up (ms): far below what a reader of them notices. */
export const FOLLOW_UP_GAP_MS = 10

/** One follow-up: `ask()` on each growth; `cancel()` when the server closes. */
export interface FollowUp {
  ask(): void
  cancel(): void
}

/**
 * Runs `work` after the first `ask()` since it last ran: on the event loop's next turn (setImmediate,
 * after the answer in hand is written), or `gapMs` after the last run began when that is later. Asks
 * while a run is waiting add nothing. The timer does not hold the process open. Errors are `work`'s
 * to handle. `now`: the clock (ms), Date.now unless a test passes one.
 */
export function followUp(work: () => void, gapMs = FOLLOW_UP_GAP_MS, now: () => number = Date.now): FollowUp {
  let waiting: { cancel(): void } | undefined
  let cancelled = false
  let lastRun = Number.NEGATIVE_INFINITY
  const run = () => {
    waiting = undefined
    lastRun = now()
    work()
  }
  return {
    ask() {
      if (waiting !== undefined || cancelled) return
      const wait = lastRun + gapMs - now()
      if (wait <= 0) {
        const immediate = setImmediate(run)
        immediate.unref?.()
        waiting = { cancel: () => clearImmediate(immediate) }
      } else {
        const timer = setTimeout(run, wait)
        timer.unref?.()
        waiting = { cancel: () => clearTimeout(timer) }
      }
    },
    cancel() {
      cancelled = true
      waiting?.cancel()
      waiting = undefined
    },
  }
}
