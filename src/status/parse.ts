/**
 * Reads the server's answer without valibot: the app's first screen must not
 * grow, and a module this page shared with the app's entry (valibot, or Vite's
 * preload helper for a lazy import) would become a chunk of its own there.
 * It checks the shape of `StatusAnswerSchema` (src/domain/status-wire.ts; the
 * test holds the two together). Safety does not rest on it: the page writes
 * every field as text.
 */
import type { PublicIncident } from '../domain/status-page'
import type { StatusAnswer } from '../domain/status-wire'

type Json = Record<string, unknown>

const isObject = (x: unknown): x is Json => typeof x === 'object' && x !== null && !Array.isArray(x)
const isMs = (x: unknown): x is number => typeof x === 'number' && Number.isInteger(x) && x >= 0
const isMsOrNull = (x: unknown) => x === null || isMs(x)

function isUpdate(x: unknown): boolean {
  return isObject(x) && typeof x.id === 'string' && isMs(x.postedMs) && typeof x.body === 'string'
}

function isIncident(x: unknown): x is PublicIncident {
  return (
    isObject(x) &&
    typeof x.id === 'string' &&
    typeof x.title === 'string' &&
    (x.status === 'active' || x.status === 'mitigated' || x.status === 'resolved') &&
    (x.severity === 1 || x.severity === 2 || x.severity === 3 || x.severity === 4) &&
    isMs(x.declaredMs) &&
    isMsOrNull(x.mitigatedMs) &&
    isMsOrNull(x.resolvedMs) &&
    Array.isArray(x.updates) &&
    x.updates.every(isUpdate)
  )
}

/** The answer, or null when the body is not the contract's (a proxy's page, a newer server's shape). */
export function parseStatusAnswer(body: unknown): StatusAnswer | null {
  if (!isObject(body) || typeof body.refreshSeconds !== 'number' || !isMs(body.now)) return null
  if (body.kind === 'incident' && isIncident(body.incident)) return body as StatusAnswer
  if (body.kind === 'team' && Array.isArray(body.incidents) && body.incidents.every(isIncident))
    return body as StatusAnswer
  return null
}
