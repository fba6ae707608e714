/**
 * The send rate of the district's SMTP relay, as a token bucket: `burst`
 * messages at once (a batch), then one every 60,000 / `perMinute` ms. The clock
 * and the wait are injected, so tests check the schedule without waiting.
 */
export interface RateClock {
  /** ms since the epoch. */
  now(): number
  /** Resolves after `ms` milliseconds, or as soon as `signal` aborts. */
  sleep(ms: number, signal?: AbortSignal): Promise<void>
}

export const realClock: RateClock = {
  now: () => Date.now(),
  sleep: (ms, signal) =>
    new Promise((resolve) => {
      if (signal?.aborted) return resolve()
      const timer = setTimeout(done, ms)
      function done() {
        clearTimeout(timer)
        signal?.removeEventListener('abort', done)
        resolve()
      }
      signal?.addEventListener('abort', done, { once: true })
    }),
}

export class SendRate {
  private tokens: number
  private last: number
  private readonly intervalMs: number

  /** `perMinute` ≥ 1 messages per minute on average; `burst` ≥ 1 sent back to back. */
  constructor(
    perMinute: number,
    private readonly burst: number,
    private readonly clock: RateClock = realClock,
  ) {
    this.intervalMs = 60_000 / Math.max(1, perMinute)
    this.tokens = Math.max(1, burst)
    this.last = clock.now()
  }

  private refill(): void {
    const now = this.clock.now()
    this.tokens = Math.min(this.burst, this.tokens + (now - this.last) / this.intervalMs)
    this.last = now
  }

  /**
   * Resolves true when one more message may go (shared by every job, so the
   * relay sees one rate), or false as soon as `signal` aborts (the server is stopping).
   */
  async take(signal?: AbortSignal): Promise<boolean> {
    this.refill()
    while (this.tokens < 1) {
      if (signal?.aborted) return false
      await this.clock.sleep(Math.ceil((1 - this.tokens) * this.intervalMs), signal)
      this.refill()
    }
    if (signal?.aborted) return false
    this.tokens -= 1
    return true
  }
}
