/**
 * Changes that diverge from normal, and what stands between an incident and
 * "resolved". A change is open until it is reverted; an open change can be
 * kept on purpose by a decision entry naming it (`log.entry.keptChangeId`,
 * docs/CONTRACT-EXTENSIONS.md). Striking that entry withdraws the decision.
 */
import type { Actor, Status } from './events'
import { resolveBlockers } from './fold'
import type { Change, IncidentState, IncidentSummary } from './fold'

export interface KeptDecision {
  entryId: string
  at: string
  actor: Actor
  /** The decision entry's current text (corrections included). */
  text: string
}

/** Open changes kept on purpose, by change id; the latest decision wins. O(n) in events. */
export function keptChanges(state: IncidentState): Map<string, KeptDecision> {
  const kept = new Map<string, KeptDecision>()
  for (const e of state.events) {
    if (e.type !== 'log.entry' || !e.payload.keptChangeId) continue
    const entry = state.entries.get(e.id)
    const change = state.changes.get(e.payload.keptChangeId)
    if (!entry || entry.struck || !change || change.reverted) continue
    kept.set(change.id, { entryId: e.id, at: e.at, actor: e.actor, text: entry.text })
  }
  return kept
}

export interface ChangeGroups {
  /** Still diverged from normal, and nobody decided to keep them: the urgent list. */
  open: Change[]
  kept: { change: Change; decision: KeptDecision }[]
  reverted: Change[]
}

// Several parts of the incident page (tab badge, banner, panel) ask on every
// write; the answer only changes with an event, so compute it once per event count.
// States are mutated in place by the fold and replaced when refolded.
const groupsCache = new WeakMap<IncidentState, { events: number; groups: ChangeGroups }>()

/** Changes sorted into open / kept / reverted, each oldest first. Shared: do not mutate. */
export function groupChanges(state: IncidentState): ChangeGroups {
  const cached = groupsCache.get(state)
  if (cached && cached.events === state.events.length) return cached.groups
  const groups = computeGroups(state)
  groupsCache.set(state, { events: state.events.length, groups })
  return groups
}

function computeGroups(state: IncidentState): ChangeGroups {
  const kept = keptChanges(state)
  const groups: ChangeGroups = { open: [], kept: [], reverted: [] }
  for (const change of state.changes.values()) {
    if (change.reverted) groups.reverted.push(change)
    else {
      const decision = kept.get(change.id)
      if (decision) groups.kept.push({ change, decision })
      else groups.open.push(change)
    }
  }
  const byHlc = (a: Change, b: Change) => (a.hlc < b.hlc ? -1 : a.hlc > b.hlc ? 1 : 0)
  groups.open.sort(byHlc)
  groups.kept.sort((a, b) => byHlc(a.change, b.change))
  groups.reverted.sort(byHlc)
  return groups
}

/** The text of the decision that keeps a change, as the log and the export show it. */
export function keepDecisionText(change: Change, reason: string): string {
  const why = reason.trim()
  return `Kept change on ${change.system} on purpose: ${change.what}${why ? ` — ${why}` : ''}. To revert later: ${change.revert}`
}

export interface ResolveGuard {
  /** Open changes nobody has decided about: each must be reverted or kept. */
  changesToDecide: Change[]
  /** Sub-incidents not resolved yet: a warning, not a block. */
  activeChildren: IncidentSummary[]
}

export function resolveGuard(state: IncidentState, children: readonly IncidentSummary[]): ResolveGuard {
  const blockers = resolveBlockers(state, children)
  const kept = keptChanges(state)
  return {
    changesToDecide: blockers.openChanges.filter((c) => !kept.has(c.id)).sort((a, b) => (a.hlc < b.hlc ? -1 : 1)),
    activeChildren: blockers.activeChildren,
  }
}

export interface StatusAction {
  to: Status
  label: string
}

/** The status moves offered from each status: active → mitigated → resolved, and reopen. */
export function statusActions(status: Status): StatusAction[] {
  switch (status) {
    case 'active':
      return [
        { to: 'mitigated', label: 'Mark mitigated' },
        { to: 'resolved', label: 'Resolve' },
      ]
    case 'mitigated':
      return [
        { to: 'resolved', label: 'Resolve' },
        { to: 'active', label: 'Back to active' },
      ]
    case 'resolved':
      return [{ to: 'active', label: 'Reopen' }]
  }
}
