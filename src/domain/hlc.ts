/**
 * Hybrid logical clock (Kulkarni et al.): timestamps that follow wall-clock
 * time but never go backwards, even when the phone's clock is wrong or jumps,
 * and that order causally-related events across devices.
 *
 * String form `<ms 15 digits>:<counter 5 digits>:<node>` sorts as the clock does.
 */
export interface Timestamp {
  readonly ms: number
  readonly counter: number
  readonly node: string
}

export const NODE_PATTERN = /^[A-Za-z0-9_-]{1,64}$/
export const HLC_PATTERN = /^\d{15}:\d{5}:[A-Za-z0-9_-]{1,64}$/
const MAX_COUNTER = 99999
/**
 * How far ahead of the (server-corrected) present a timestamp may be: the
 * server refuses events stamped further ahead (`clock_ahead`), and a clock
 * never adopts a remote time further ahead, so one phone with a wrong clock
 * cannot drag the others' clocks with it. 2 minutes, in ms.
 */
export const MAX_DRIFT_MS = 2 * 60 * 1000

export function formatHlc(t: Timestamp): string {
  return `${String(t.ms).padStart(15, '0')}:${String(t.counter).padStart(5, '0')}:${t.node}`
}

export function parseHlc(s: string): Timestamp | null {
  if (!HLC_PATTERN.test(s)) return null
  const [ms, counter, node] = s.split(':') as [string, string, string]
  return { ms: Number(ms), counter: Number(counter), node }
}

export function hlcMillis(s: string): number {
  return Number(s.slice(0, 15))
}

/** Next timestamp for a local event: pure, so it can be tested with any clock. */
export function tick(last: Timestamp, now: number): Timestamp {
  if (now > last.ms) return { ms: now, counter: 0, node: last.node }
  return bump(last.ms, last.counter + 1, last.node)
}

/** Merge a remote timestamp so that our next local event sorts after it. */
export function receive(last: Timestamp, remote: Timestamp, now: number): Timestamp {
  // A remote clock far in the future (a phone set to next year) is not adopted,
  // or every later local event would carry its wrong time. Its event still syncs.
  if (remote.ms - now > MAX_DRIFT_MS) return last
  const ms = Math.max(last.ms, remote.ms, now)
  if (ms === last.ms && ms === remote.ms) return bump(ms, Math.max(last.counter, remote.counter) + 1, last.node)
  if (ms === last.ms) return bump(ms, last.counter + 1, last.node)
  if (ms === remote.ms) return bump(ms, remote.counter + 1, last.node)
  return { ms, counter: 0, node: last.node }
}

function bump(ms: number, counter: number, node: string): Timestamp {
  // Counter overflow only happens with >99,999 events in one millisecond; borrow the next one.
  if (counter > MAX_COUNTER) return { ms: ms + 1, counter: 0, node }
  return { ms, counter, node }
}

/**
 * A device's clock. State lives in memory; `persist` is called with every new
 * value so a reload continues after the last timestamp instead of reusing it.
 */
export class HybridClock {
  private last: Timestamp

  constructor(
    node: string,
    private readonly now: () => number = Date.now,
    persisted?: string | null,
    private readonly persist: (hlc: string) => void = () => {},
  ) {
    if (!NODE_PATTERN.test(node)) throw new Error(`invalid clock node id: ${node}`)
    const restored = persisted ? parseHlc(persisted) : null
    this.last = { ms: restored?.ms ?? 0, counter: restored?.counter ?? 0, node }
  }

  get current(): string {
    return formatHlc(this.last)
  }

  next(): string {
    this.last = tick(this.last, this.now())
    const s = formatHlc(this.last)
    this.persist(s)
    return s
  }

  /**
   * Called when this phone learns (or changes) its offset from the server:
   * a last timestamp more than MAX_DRIFT_MS ahead of the corrected present came
   * from the wrong clock, and ticking on from it would keep stamping the
   * future. The clock restarts from the present instead. Not done on every
   * tick: a phone whose clock is set back while offline keeps its order.
   */
  rebase(): void {
    const now = this.now()
    if (this.last.ms - now <= MAX_DRIFT_MS) return
    this.last = { ms: now, counter: 0, node: this.last.node }
    this.persist(formatHlc(this.last))
  }

  receive(remote: string): void {
    const parsed = parseHlc(remote)
    if (!parsed) return
    const merged = receive(this.last, parsed, this.now())
    if (merged.ms === this.last.ms && merged.counter === this.last.counter) return
    this.last = merged
    this.persist(formatHlc(merged))
  }
}
