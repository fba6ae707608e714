/**
 * The window of resolved incidents a phone holds in full (scoped sync,
 * docs/CONTRACT-EXTENSIONS.md): those with activity in the last this many
 * days. Settings sets it; src/sync/scope.ts and src/sync/evict.ts follow it.
 */
import type { Validation } from './events'

/** What a phone holds before anyone changes it (the setting `holdResolvedDays`). */
export const DEFAULT_HOLD_RESOLVED_DAYS = 30

/** Whole days the setting accepts: at least a day, at most ten years. */
export const HOLD_RESOLVED_DAYS_RANGE = { min: 1, max: 3650 } as const

/** The field's label in Settings; its messages name it. */
export const HOLD_RESOLVED_DAYS_LABEL = 'Keep resolved incidents on this phone for (days)'

/**
 * Check a typed window: a whole number of days within HOLD_RESOLVED_DAYS_RANGE
 * (a number, or text such as a box holds when it does not read as one).
 * The reason names the field.
 */
export function checkHoldResolvedDays(input: number | string): Validation<number> {
  const { min, max } = HOLD_RESOLVED_DAYS_RANGE
  const text = typeof input === 'number' ? String(input) : input.trim()
  const days = /^\d+$/.test(text) ? Number(text) : NaN
  if (!Number.isInteger(days) || days < min || days > max)
    return {
      ok: false,
      reason: `“Keep resolved incidents on this phone for” takes a whole number of days from ${min} to ${max}${text === '' ? '' : `, not “${text}”`}.`,
    }
  return { ok: true, value: days }
}
