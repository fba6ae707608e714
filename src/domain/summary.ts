/**
 * An incident's overview: what the list, its filters, sub-incident lines and
 * the search head need, folded from its events and small enough that a phone
 * keeps one for every incident it has ever held (5,000 of them: a few hundred
 * kB). The phone persists these (src/db/summaries.ts) and folds an incident's
 * events only when it is active or opened, so start-up depends on what is
 * active, not on how much history is stored.
 */
import type { Actor, Status } from './events'
import { groupChanges } from './changes'
import { nextUpdateDueMs } from './cadence'
import { foldIncident, type IncidentState, type IncidentSummary } from './fold'
import type { IncidentEvent } from './events'

/** Every field is plain data (JSON and structured-clone safe), copied from the folded state. */
export interface IncidentOverview extends IncidentSummary {
  summary: string
  location: string
  /** Absent on a top-level incident. */
  parentId?: string
  declaredAt: string
  declaredBy: Actor
  /** The last applied event's stamp: the list orders by it within a status and severity. */
  lastHlc: string
  lastActivityAt: string
  /** Tasks not done. */
  openTasks: number
  /** Changes neither reverted nor kept (groupChanges' `open`). */
  openChanges: number
  /** When the next stakeholder update falls due (ms since the epoch, server time); null once resolved. */
  nextUpdateDueMs: number | null
  /** Applied events: the count the card and the search compare to tell a stale overview. */
  eventCount: number
}

/** The overview of a folded incident. */
export function overviewOf(state: IncidentState): IncidentOverview {
  let openTasks = 0
  for (const t of state.tasks.values()) if (!t.done) openTasks++
  const overview: IncidentOverview = {
    id: state.id,
    title: state.title,
    severity: state.severity,
    status: state.status,
    summary: state.summary,
    location: state.location,
    declaredAt: state.declaredAt,
    declaredBy: { ...state.declaredBy },
    lastHlc: state.lastHlc,
    lastActivityAt: state.lastActivityAt,
    openTasks,
    openChanges: state.changes.size ? groupChanges(state).open.length : 0,
    nextUpdateDueMs: nextUpdateDueMs(state),
    eventCount: state.events.length,
  }
  if (state.parentId !== undefined) overview.parentId = state.parentId
  return overview
}

/** The overview of one incident's events (any order, duplicates allowed); null until its declaration is among them. */
export function overviewFromEvents(events: readonly (IncidentEvent & { seq?: number })[]): IncidentOverview | null {
  const state = foldIncident(events)
  return state ? overviewOf(state) : null
}

/** Whether two overviews say the same (field by field): an unchanged one is not written again. */
export function sameOverview(a: IncidentOverview | null, b: IncidentOverview | null): boolean {
  if (a === null || b === null) return a === b
  const keys = Object.keys(a) as (keyof IncidentOverview)[]
  if (keys.length !== Object.keys(b).length) return false
  for (const k of keys) {
    if (k === 'declaredBy') {
      if (a.declaredBy.id !== b.declaredBy.id || a.declaredBy.name !== b.declaredBy.name) return false
    } else if (a[k] !== b[k]) return false
  }
  return true
}

const STATUS_ORDER: Record<Status, number> = { active: 0, mitigated: 1, resolved: 2 }

/** The list's order: active, mitigated, resolved; then by severity (SEV1 first); then the latest activity first. */
export function compareOverviews(
  a: Pick<IncidentOverview, 'status' | 'severity' | 'lastHlc'>,
  b: Pick<IncidentOverview, 'status' | 'severity' | 'lastHlc'>,
): number {
  return STATUS_ORDER[a.status] - STATUS_ORDER[b.status] || a.severity - b.severity || (a.lastHlc < b.lastHlc ? 1 : -1)
}

/** Whether an incident's events must be folded at start: it is not resolved (it may change any minute, and "My roles" reads it). */
export function foldedAtStart(overview: Pick<IncidentOverview, 'status'> | null): boolean {
  return overview === null || overview.status !== 'resolved'
}
