/**
 * The server's clock as the authority on time. A phone measures how far its
 * own clock is from the server's (the offset), stamps events with its clock
 * corrected by that offset, and corrects events it stamped before it knew.
 * Pure functions: the offset is kept in IndexedDB (src/db/clock-offset.ts)
 * and applied by the clock store and the pusher.
 */
import type { IncidentEvent } from './events'
import { formatHlc, HLC_PATTERN, hlcMillis, MAX_DRIFT_MS, parseHlc, type Timestamp } from './hlc'

/** The push rejection reason for an event stamped more than MAX_DRIFT_MS ahead of the server's clock. */
export const CLOCK_AHEAD = 'clock_ahead'

/** How many recent samples the offset is the median of: one slow answer cannot move it. */
export const OFFSET_SAMPLES = 9

/** A phone whose clock is further than this from the server's is warned (ms). */
export const CLOCK_WARNING_MS = MAX_DRIFT_MS

/**
 * One measurement of `server − phone`, in ms: the server's `now` against the
 * middle of the request's round trip on the phone's clock (`sentAt`,
 * `receivedAt`, ms). Its error is at most half the round trip.
 */
export function offsetSample(serverNow: number, sentAt: number, receivedAt: number): number {
  return Math.round(serverNow - (sentAt + receivedAt) / 2)
}

/** The last OFFSET_SAMPLES samples with `sample` added (oldest dropped). */
export function addSample(samples: readonly number[], sample: number): number[] {
  return [...samples, sample].slice(-OFFSET_SAMPLES)
}

/** The median of `samples` (the lower middle of an even count, a whole ms), or null when there are none. */
export function medianOffset(samples: readonly number[]): number | null {
  if (samples.length === 0) return null
  const sorted = [...samples].sort((a, b) => a - b)
  return sorted[Math.floor((sorted.length - 1) / 2)]!
}

/** True when `hlc` is more than MAX_DRIFT_MS ahead of `serverNow` (ms): the server refuses it. */
export function isClockAhead(hlc: string, serverNow: number): boolean {
  // Run on every pushed event: the time is read off the text, without parsing the rest of the stamp.
  return HLC_PATTERN.test(hlc) && hlcMillis(hlc) - serverNow > MAX_DRIFT_MS
}

/** `3 h 2 min`, `1 d 4 h`, `5 min`: a duration rounded to the minute, for people. */
export function describeDuration(ms: number): string {
  const minutes = Math.round(Math.abs(ms) / 60_000)
  const days = Math.floor(minutes / 1440)
  const hours = Math.floor((minutes % 1440) / 60)
  const mins = minutes % 60
  if (days > 0) return hours ? `${days} d ${hours} h` : `${days} d`
  if (hours > 0) return mins ? `${hours} h ${mins} min` : `${hours} h`
  return `${mins} min`
}

/**
 * The warning for a phone whose clock is more than CLOCK_WARNING_MS from the
 * server's, or null. `offsetMs` is `server − phone`: negative means the phone is fast.
 */
export function clockWarning(offsetMs: number | null): string | null {
  if (offsetMs === null || Math.abs(offsetMs) <= CLOCK_WARNING_MS) return null
  return `This phone's clock is ${describeDuration(offsetMs)} ${offsetMs < 0 ? 'fast' : 'slow'}`
}

/**
 * Events moved in time by `deltaMs` (the change in the phone's offset since
 * they were stamped), never later than `latestMs` (the corrected present), in
 * the order given, which is kept: when two land on one millisecond the counter
 * orders them. Each lands at its `at` (the phone's time when it was made) plus
 * `deltaMs`, not its hlc plus `deltaMs`: a clock set back holds the hlc at its
 * last value, and `at` still says when the event was made.
 * Ids, payloads (and so references, which are by id) and nodes are unchanged;
 * `at` becomes the new stamp's time. Events whose hlc cannot be read are returned as they were.
 */
export function shiftStamps(events: readonly IncidentEvent[], deltaMs: number, latestMs: number): IncidentEvent[] {
  let previous: Timestamp | null = null
  return events.map((event) => {
    const old = parseHlc(event.hlc)
    if (!old) return event
    const made = Date.parse(event.at)
    const from = Number.isNaN(made) ? old.ms : made
    let next: Timestamp = { ms: Math.max(0, Math.min(from + deltaMs, latestMs)), counter: 0, node: old.node }
    if (previous && next.ms <= previous.ms)
      next =
        previous.counter < 99_999
          ? { ms: previous.ms, counter: previous.counter + 1, node: old.node }
          : { ms: previous.ms + 1, counter: 0, node: old.node }
    previous = next
    return { ...event, hlc: formatHlc(next), at: new Date(next.ms).toISOString() }
  })
}
