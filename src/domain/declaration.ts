/**
 * Which `incident.declared` is an incident's, and which events cannot be true
 * because they claim to come before it. One rule, used by the server (which
 * refuses such events) and the fold (which ignores them in what a phone holds),
 * so a hostile or broken client cannot rename an incident or take command of
 * it with a second declaration, or slip events in before it was declared.
 */
import type { IncidentEvent } from './events'

/** Why the server refuses an event under this rule (the push answer's `reason`). */
export type DeclarationRefusal = 'already_declared' | 'before_declared'

/** The incident already has a declaration: a later one is refused, whatever its stamp. */
export const ALREADY_DECLARED = 'already_declared' satisfies DeclarationRefusal
/** The event is stamped (hlc) at or before the incident's declaration. */
export const BEFORE_DECLARED = 'before_declared' satisfies DeclarationRefusal

/** What the rule reads of an event. */
export type Stamped = Pick<IncidentEvent, 'id' | 'type' | 'hlc'>

/** What the rule reads of the declaration an incident has. */
export type Declaration = Pick<IncidentEvent, 'id' | 'hlc'>

/**
 * Whether `event`, of an incident whose declaration is `declaration` (null: not
 * known yet), cannot be true. The declaration itself passes, so a re-sent copy
 * is judged duplicate or conflict elsewhere. Without a known declaration every
 * event passes: events may arrive before their incident and wait for it.
 */
export function refusalFor(event: Stamped, declaration: Declaration | null): DeclarationRefusal | null {
  if (!declaration || event.id === declaration.id) return null
  if (event.type === 'incident.declared') return ALREADY_DECLARED
  // HLC strings sort as time (fixed-width fields); equal stamps count as "at", so refused.
  if (event.hlc <= declaration.hlc) return BEFORE_DECLARED
  return null
}

/** A declaration as a phone holds it: `seq` only once the server has stored it. */
type Candidate = Pick<IncidentEvent, 'id' | 'hlc' | 'type'> & { seq?: number }

/**
 * Order of declarations: the one the server stored first (lowest seq) comes
 * first; declarations not yet synced (no seq) after every synced one, between
 * themselves by (hlc, id). Ties of the same id keep the one with the lower seq.
 */
export function compareDeclarations(a: Candidate, b: Candidate): number {
  const sa = a.seq ?? Number.POSITIVE_INFINITY
  const sb = b.seq ?? Number.POSITIVE_INFINITY
  if (sa !== sb) return sa < sb ? -1 : 1
  if (a.hlc !== b.hlc) return a.hlc < b.hlc ? -1 : 1
  if (a.id !== b.id) return a.id < b.id ? -1 : 1
  return 0
}

/**
 * The incident's declaration among `events` (every copy, duplicates included:
 * a copy with a seq must count whatever the arrival order), or undefined when
 * none is there yet. Deterministic: the same set gives the same answer.
 */
export function chooseDeclaration<T extends Candidate>(
  events: readonly T[],
): (T & { type: 'incident.declared' }) | undefined {
  let best: (T & { type: 'incident.declared' }) | undefined
  for (const e of events)
    if (e.type === 'incident.declared' && (!best || compareDeclarations(e, best) < 0))
      best = e as T & { type: 'incident.declared' }
  return best
}
