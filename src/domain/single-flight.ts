/**
 * "One run at a time; if asked again meanwhile, run once more after." The
 * sync engine's rounds and the server's stream catch-up both need exactly
 * this: a request that arrives while a run is under way must not start a
 * second one beside it (two pushes of the same outbox, two writers on one
 * socket), yet must not be lost either, since the run may have read its
 * input before the request's cause (a new local event, a grown log).
 *
 * Pure TypeScript: no timers, no platform APIs, so the server may use it.
 */
export interface SingleFlight {
  /**
   * Start a run, or, if one is under way, ask for one more after it. Any
   * number of requests during a run collapse into that one extra run.
   * Resolves when the runs this request caused have finished; rejects with
   * the task's error if a run throws (the flight then ends: a re-run asked
   * for meanwhile is dropped, and the next `run()` starts afresh).
   */
  run(): Promise<void>
  /** A run is under way. */
  readonly running: boolean
  /** Resolves once no run is under way (never rejects; errors go to `run()`'s callers). */
  idle(): Promise<void>
}

export function singleFlight(task: () => Promise<void>): SingleFlight {
  let current: Promise<void> | null = null
  let again = false

  async function loop(): Promise<void> {
    try {
      do {
        again = false
        await task()
      } while (again)
    } finally {
      again = false
      current = null
    }
  }

  return {
    run() {
      if (current) {
        again = true
        return current
      }
      // `current` is set before the task starts, so a task that asks for a run
      // from its synchronous start queues a re-run instead of a second flight.
      let settle!: { resolve: () => void; reject: (e: unknown) => void }
      current = new Promise<void>((resolve, reject) => (settle = { resolve, reject }))
      loop().then(settle.resolve, settle.reject)
      return current
    },
    get running() {
      return current !== null
    },
    async idle() {
      // A run may be followed at once by another one started from its last callback.
      while (current) await current.catch(() => {})
    },
  }
}
