/**
 * What of an incident is searched on the phone. Two parts:
 *  - its head, as it is now: title, summary, location, severity (`sev2`) and
 *    status; replaced when they change, and weighted most;
 *  - its body: the text of every event it received (log entries and their
 *    amended wording, changes, reverts, updates, tasks, briefings, status
 *    notes, earlier titles). Text is only ever added, event by event, so an
 *    incident is never re-read to take one new entry, and a word once written
 *    (an amendment's original wording, an edited task) stays findable.
 *
 * Pure and cheap to import: the index (incident-search-index.ts) loads later.
 */
import { assertNever } from './assert'
import type { IncidentEvent } from './events'
import type { IncidentState } from './fold'

/** The texts of one event that search should find its incident by; [] for events without text. */
export function eventSearchText(e: IncidentEvent): string[] {
  switch (e.type) {
    case 'incident.declared':
      return [e.payload.title, e.payload.summary ?? '', e.payload.location ?? '']
    case 'incident.edited':
      return [e.payload.title ?? '', e.payload.summary ?? '', e.payload.location ?? '']
    case 'incident.status':
      return [e.payload.note ?? '']
    case 'role.assigned':
      return [e.payload.person?.name ?? '', e.payload.briefing ?? '']
    case 'log.entry':
      return [e.payload.text]
    case 'log.amended':
      return [e.payload.text ?? '', e.payload.reason ?? '']
    case 'change.made':
      return [e.payload.system, e.payload.what, e.payload.revert]
    case 'change.reverted':
      return [e.payload.note ?? '']
    case 'update.posted':
      return [e.payload.body, e.payload.audience ?? '']
    case 'task.added':
      return [e.payload.text, e.payload.owner ?? '']
    case 'task.edited':
      return [e.payload.text ?? '', e.payload.owner ?? '']
    case 'update.emailed':
      return [e.payload.audience]
    // audience.saved and contact.saved: the directory (incident id "directory") is not an incident.
    case 'task.done':
    case 'task.reopened':
    case 'conflict.acknowledged':
    case 'audience.saved':
    case 'contact.saved':
      return []
    default:
      return assertNever(e)
  }
}

/** The head of an incident as one text per part, in a fixed order (compared to tell when it changed). */
export function incidentHeadText(
  state: Pick<IncidentState, 'title' | 'summary' | 'location' | 'severity' | 'status'>,
): string[] {
  return [state.title, state.summary, state.location, `sev${state.severity}`, state.status]
}

/** Weights of a query word's match: in the head or only in the body; exact, prefix or a typo away. */
export const SEARCH_WEIGHTS = {
  head: 3,
  body: 1,
  exact: 1,
  /** Scaled by how much of the indexed word was typed (`swi` of `switch`: 0.5 × 3/6). */
  prefix: 0.5,
  /** Scaled by closeness (`swtich` of `switch`, one edit: 0.45 × 6/7). */
  fuzzy: 0.45,
  /** Edits allowed per typed character (rounded), and at most. MiniSearch's `fuzzy: 0.2, maxFuzzy: 2`. */
  fuzzyPerChar: 0.2,
  maxFuzzy: 2,
} as const

/** How many typos a typed word of `length` characters may hold: 0 up to 2 characters, 1 from 3, 2 from 8. */
export function allowedEdits(length: number): number {
  return Math.min(SEARCH_WEIGHTS.maxFuzzy, Math.round(length * SEARCH_WEIGHTS.fuzzyPerChar))
}
