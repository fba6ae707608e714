/**
 * The send rate of the district's SMTP relay, as a token bucket: `burst`
 * messages at once (a batch), then one every 60,000 / `perMinute` ms. The clock
 * and the wait are injected, so tests check the schedule without waiting.
 */
export interface RateClock {
  /** ms since the epoch. */
  now(): number
  /** Resolves after `ms` milliseconds. */
  sleep(ms: number): Promise<void>
}

export const realClock: RateClock = {
  now: () => Date.now(),
  sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
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

  /** Resolves when one more message may go; shared by every job, so the relay sees one rate. */
  async take(): Promise<void> {
    this.refill()
    while (this.tokens < 1) {
      await this.clock.sleep(Math.ceil((1 - this.tokens) * this.intervalMs))
      this.refill()
    }
    this.tokens -= 1
  }
}
