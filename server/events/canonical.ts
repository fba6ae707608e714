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

/**
 * `value` in the form canonicalCopy gives: `value` itself when it already is
 * (every object's keys in sorted order, no undefined member), else a sorted
 * copy. For data the caller alone holds, such as a validator's fresh output
 * (src/domain/events.ts declares every object's fields in sorted order, so a
 * valid event is canonical as it comes out): checking costs a walk, copying
 * cost a sort and a new object at every level, on every pushed event.
 */
export function canonicalForm<T>(value: T): T {
  return isCanonical(value) ? value : canonicalCopy(value)
}

function isCanonical(value: unknown): boolean {
  if (value === null || typeof value !== 'object') return true
  if (Array.isArray(value)) return value.every(isCanonical)
  let previous: string | undefined
  // Own keys as Object.keys lists them: JSON and validators make plain objects, with nothing inherited.
  for (const key of Object.keys(value)) {
    const v = (value as Record<string, unknown>)[key]
    // Integer-like keys come first in any object whatever their text: such an object is copied, and stays equal.
    if (v === undefined || (previous !== undefined && previous >= key) || !isCanonical(v)) return false
    previous = key
  }
  return true
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
