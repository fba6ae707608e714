/** Parsing of query values, strictly: a malformed cursor is a 400, never a guess. */
import { ApiError } from '../http/errors'

/** A non-negative whole number given as decimal digits, or `fallback` when absent. */
export function parseCount(
  value: unknown,
  name: string,
  fallback: number,
  max = Number.MAX_SAFE_INTEGER,
  min = 0,
): number {
  if (value === undefined) return fallback
  if (typeof value !== 'string' || !/^\d{1,16}$/.test(value)) {
    throw new ApiError(400, 'bad_request', `${name} must be a whole number`)
  }
  const n = Number(value)
  if (n < min || n > max) throw new ApiError(400, 'bad_request', `${name} must be between ${min} and ${max}`)
  return n
}
