/**
 * This phone's offset from the server's clock (server − phone, ms): the
 * median of the last samples, kept in the kv table so a restart, another tab
 * and the service worker all stamp with the same corrected time.
 */
import { addSample, medianOffset } from '../domain/clock-offset'
import { MAX_DRIFT_MS } from '../domain/hlc'
import type { CommandPostDatabase } from './database'

/** The kv row: the recent samples, oldest first. */
export const CLOCK_OFFSET_KEY = 'clockOffset'

interface ClockOffsetRow {
  samples: number[]
  /** When the last sample was taken, on this phone's own clock (ms). */
  sampledAt?: number
}

/** A sample older than this (or "from the future", after the phone's clock was set back) is asked again before a first push. */
export const SAMPLE_FRESH_MS = 5 * 60_000

/** The offset and when it was last sampled (phone's clock, ms; null before the first sample). */
export interface ClockOffsetState {
  offsetMs: number | null
  sampledAt: number | null
}

function samplesOf(value: unknown): number[] {
  const samples = (value as Partial<ClockOffsetRow> | undefined)?.samples
  return Array.isArray(samples) ? samples.filter((s): s is number => Number.isFinite(s)) : []
}

/** The offset in ms, or null before the first sample. */
export async function readClockOffset(db: CommandPostDatabase): Promise<number | null> {
  return (await readClockOffsetState(db)).offsetMs
}

export async function readClockOffsetState(db: CommandPostDatabase): Promise<ClockOffsetState> {
  const value = (await db.kv.get(CLOCK_OFFSET_KEY))?.value as Partial<ClockOffsetRow> | undefined
  const sampledAt = typeof value?.sampledAt === 'number' ? value.sampledAt : null
  return { offsetMs: medianOffset(samplesOf(value)), sampledAt }
}

/**
 * True when the offset should be measured again before events are sent: none
 * yet, or the last sample is over SAMPLE_FRESH_MS old by the phone's clock, or
 * in its future. A phone whose clock was changed by more than that since is
 * caught either way.
 */
export function sampleIsStale(state: ClockOffsetState, deviceNow: number): boolean {
  if (state.offsetMs === null || state.sampledAt === null) return true
  const age = deviceNow - state.sampledAt
  return age < 0 || age > SAMPLE_FRESH_MS
}

/**
 * Add samples (server − phone, ms), taken at `deviceNow` (this phone's clock),
 * and return the new offset. A phone whose clock was changed by more than 2
 * minutes since the last sample starts over: the old samples measured another clock.
 */
export async function recordClockSamples(
  db: CommandPostDatabase,
  samples: readonly number[],
  deviceNow: number = Date.now(),
): Promise<number | null> {
  return db.transaction('rw', db.kv, async () => {
    let kept = samplesOf((await db.kv.get(CLOCK_OFFSET_KEY))?.value)
    for (const s of samples) {
      const current = medianOffset(kept)
      kept = current !== null && Math.abs(s - current) > MAX_DRIFT_MS ? [s] : addSample(kept, s)
    }
    if (samples.length)
      await db.kv.put({
        key: CLOCK_OFFSET_KEY,
        value: { samples: kept, sampledAt: deviceNow } satisfies ClockOffsetRow,
      })
    return medianOffset(kept)
  })
}
