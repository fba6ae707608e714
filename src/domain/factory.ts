/**
 * Making a new event on this phone: validated before it is stored, so a bad
 * event never reaches the outbox.
 */
import type { Actor, EventType, IncidentEvent, PayloadOf, Validation } from './events'
import { validateEvent } from './events'
import type { HybridClock } from './hlc'
import { newId } from './ids'

export interface EventContext {
  clock: HybridClock
  actor: Actor
  now?: () => number
}

export function createEvent<T extends EventType>(
  ctx: EventContext,
  type: T,
  incidentId: string,
  payload: PayloadOf<T>,
): Validation<IncidentEvent> {
  const now = (ctx.now ?? Date.now)()
  const candidate = {
    id: newId(now),
    incidentId,
    type,
    at: new Date(now).toISOString(),
    hlc: ctx.clock.next(),
    actor: { id: ctx.actor.id, name: ctx.actor.name },
    payload: stripUndefined(payload),
  }
  return validateEvent(candidate)
}

function stripUndefined<T>(payload: T): T {
  const out: Record<string, unknown> = {}
  for (const [k, v] of Object.entries(payload as Record<string, unknown>)) if (v !== undefined) out[k] = v
  return out as T
}
