/**
 * The work that follows a push on this node (the incident projection's
 * catch-up, the mailer's scan), run a little after it and once for every push
 * of that moment. Both read on from their own cursor, so one run covers every
 * growth before it; run per push, a node taking pushes from many phones paid
 * their fixed cost once each. And deferred past the push's answer and the
 * phone's next request, the run falls while the server waits on the database
 * for that request, instead of holding it up: on PostgreSQL the projection's
 * catch-up (about 3 ms per 500-event push) stood between every answer and the
 * next push's checks.
 */

/** How long after the first growth its follow-ups run (ms): far below what a reader of them notices. */
export const FOLLOW_UP_DELAY_MS = 10

/** One follow-up: `ask()` on each growth; `cancel()` when the server closes. */
export interface FollowUp {
  ask(): void
  cancel(): void
}

/**
 * Runs `work` `delayMs` after the first `ask()` since it last ran; asks in between add nothing. The
 * timer does not hold the process open. Errors are `work`'s to handle.
 */
export function followUp(work: () => void, delayMs = FOLLOW_UP_DELAY_MS): FollowUp {
  let timer: ReturnType<typeof setTimeout> | undefined
  let cancelled = false
  return {
    ask() {
      if (timer !== undefined || cancelled) return
      timer = setTimeout(() => {
        timer = undefined
        work()
      }, delayMs)
      timer.unref?.()
    },
    cancel() {
      cancelled = true
      clearTimeout(timer)
      timer = undefined
    },
  }
}
