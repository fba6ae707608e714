/**
 * This phone's offset from the server's clock (server − phone, ms): the
 * median of the last samples, kept in the kv table so a restart, another tab
 * and the service worker all stamp with the same corrected time.
 */
import { addSample, medianOffset } from '../domain/clock-offset'
import type { CommandPostDatabase } from './database'

/** The kv row: the recent samples, oldest first. */
export const CLOCK_OFFSET_KEY = 'clockOffset'

interface ClockOffsetRow {
  samples: number[]
}

function samplesOf(value: unknown): number[] {
  const samples = (value as Partial<ClockOffsetRow> | undefined)?.samples
  return Array.isArray(samples) ? samples.filter((s): s is number => Number.isFinite(s)) : []
}

/** The offset in ms, or null before the first sample. */
export async function readClockOffset(db: CommandPostDatabase): Promise<number | null> {
  return medianOffset(samplesOf((await db.kv.get(CLOCK_OFFSET_KEY))?.value))
}

/** Add samples (server − phone, ms) and return the new offset. */
export async function recordClockSamples(db: CommandPostDatabase, samples: readonly number[]): Promise<number | null> {
  return db.transaction('rw', db.kv, async () => {
    let kept = samplesOf((await db.kv.get(CLOCK_OFFSET_KEY))?.value)
    for (const s of samples) kept = addSample(kept, s)
    if (samples.length) await db.kv.put({ key: CLOCK_OFFSET_KEY, value: { samples: kept } satisfies ClockOffsetRow })
    return medianOffset(kept)
  })
}
