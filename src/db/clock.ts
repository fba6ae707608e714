/**
 * This phone's hybrid logical clock, restored from the last timestamp stored
 * with an event so a reload never reuses one.
 */
import { HybridClock } from '../domain/hlc'
import type { CommandPostDatabase } from './database'
import { savedClock } from './events'

export async function openDeviceClock(
  db: CommandPostDatabase,
  deviceId: string,
  now: () => number = Date.now,
): Promise<HybridClock> {
  return new HybridClock(deviceId, now, await savedClock(db))
}
