/**
 * Failed authentications per client address, counted in fixed windows of a
 * minute. Past the limit, a request from that address whose token fails is
 * answered 429 `rate_limited` with Retry-After instead of 401.
 *
 * A valid token is never refused here, from any address: the verdict is only
 * given after the token was checked. Tokens are 256 random bits, so letting a
 * limited address keep trying gains a guesser nothing, while refusing valid
 * tokens would let one misconfigured phone (or one prankster) behind a
 * school's NAT address lock out the 500 people sharing it. What the limit
 * buys is that a client hammering with a wrong token is told to back off.
 */
export class AuthFailureLimiter {
  private windowStart = 0
  private failures = new Map<string, number>()

  /**
   * @param perMinute failures per address per minute before 429; 0 turns the limit off.
   * @param now clock in ms (injected for tests).
   */
  constructor(
    private readonly perMinute: number,
    private readonly now: () => number = Date.now,
  ) {}

  private roll(): number {
    const t = this.now()
    // One map per window: memory is bounded by the addresses that failed within a minute.
    if (t - this.windowStart >= 60_000) {
      this.windowStart = t
      this.failures = new Map()
    }
    return t
  }

  /**
   * Records a failure from `address`. Returns the seconds to wait when the
   * address is past its limit (Retry-After, at least 1), else null.
   */
  fail(address: string): number | null {
    if (this.perMinute <= 0) return null
    const t = this.roll()
    const n = (this.failures.get(address) ?? 0) + 1
    this.failures.set(address, n)
    if (n <= this.perMinute) return null
    return Math.max(1, Math.ceil((this.windowStart + 60_000 - t) / 1000))
  }
}
