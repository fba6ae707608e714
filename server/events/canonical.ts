/**
 * Canonical JSON: object keys sorted at every depth. Two events with the same
 * content give the same string whatever key order the client sent, so the
 * duplicate-or-conflict test is a string comparison.
 */
export function canonicalJson(value: unknown): string {
  return JSON.stringify(canonicalCopy(value))
}

/**
 * A deep copy of JSON data with object keys sorted at every depth and undefined members left out:
 * `JSON.stringify` of it is canonicalJson, and it equals `JSON.parse` of that, key order included, for
 * data that came from JSON (no -0, NaN or toJSON), so whoever holds it need not parse the string back.
 */
export function canonicalCopy<T>(value: T): T {
  return sortKeys(value) as T
}

function sortKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortKeys)
  if (value === null || typeof value !== 'object') return value
  const out: Record<string, unknown> = {}
  for (const key of Object.keys(value).sort()) {
    const v = (value as Record<string, unknown>)[key]
    if (v !== undefined) out[key] = sortKeys(v)
  }
  return out
}
