/**
 * The incident list as a tree: sub-incidents under their parent at any depth,
 * and what a search or a filter keeps of it. Pure: the list view renders it.
 */
import type { IncidentState } from './fold'

export interface IncidentNode {
  incident: IncidentState
  /** Sub-incidents, in the order of the list they came from (or best match first). */
  children: IncidentNode[]
  /** Shown only because a descendant matches: the incident itself does not. */
  context: boolean
  /** Incidents below this one, at any depth, that are shown. */
  descendants: number
}

/**
 * Nest `incidents` (in display order) under their parents. An incident whose
 * parent is not on this phone is a root; so is one caught in a parent cycle.
 *
 * With `keep` (the ids a search or filter matched), only those are shown, each
 * under the chain of its ancestors (marked `context`); with `rank` (id → place
 * in the search results), siblings are ordered by the best rank in their subtree.
 */
export function incidentForest(
  incidents: readonly IncidentState[],
  keep: ReadonlySet<string> | null = null,
  rank: ReadonlyMap<string, number> | null = null,
): IncidentNode[] {
  const byId = new Map(incidents.map((s) => [s.id, s]))
  const kids = new Map<string, IncidentState[]>()
  const roots: IncidentState[] = []
  for (const s of incidents) {
    const parent = s.parentId && s.parentId !== s.id && byId.has(s.parentId) ? s.parentId : null
    if (parent && !inCycle(s, byId)) {
      const list = kids.get(parent)
      if (list) list.push(s)
      else kids.set(parent, [s])
    } else roots.push(s)
  }

  const build = (s: IncidentState): { node: IncidentNode; best: number } | null => {
    const children: { node: IncidentNode; best: number }[] = []
    for (const c of kids.get(s.id) ?? []) {
      const built = build(c)
      if (built) children.push(built)
    }
    const kept = !keep || keep.has(s.id)
    if (!kept && children.length === 0) return null
    if (rank) children.sort((a, b) => a.best - b.best)
    const own = kept && rank ? (rank.get(s.id) ?? Infinity) : Infinity
    return {
      node: {
        incident: s,
        children: children.map((c) => c.node),
        context: !kept,
        descendants: children.reduce((n, c) => n + 1 + c.node.descendants, 0),
      },
      best: Math.min(own, ...children.map((c) => c.best)),
    }
  }

  const built = roots.map(build).filter((b): b is { node: IncidentNode; best: number } => b !== null)
  if (rank) built.sort((a, b) => a.best - b.best)
  return built.map((b) => b.node)
}

/** True when following parents from `s` comes back to `s` (data from two phones can make a loop). */
function inCycle(s: IncidentState, byId: ReadonlyMap<string, IncidentState>): boolean {
  const seen = new Set<string>([s.id])
  let next = s.parentId
  while (next) {
    if (seen.has(next)) return next === s.id
    seen.add(next)
    next = byId.get(next)?.parentId
  }
  return false
}

/** The filters of the incident list; `null` fields filter nothing. */
export interface IncidentFilter {
  status: IncidentState['status'] | 'open' | null
  severity: IncidentState['severity'] | null
  /** Ids of incidents where I hold a role, when "My roles" is on. */
  mine: ReadonlySet<string> | null
}

/** Whether `s` passes the filters ("open" = active or mitigated). */
export function passesFilter(s: IncidentState, f: IncidentFilter): boolean {
  if (f.status === 'open' ? s.status === 'resolved' : f.status && s.status !== f.status) return false
  if (f.severity !== null && s.severity !== f.severity) return false
  if (f.mine && !f.mine.has(s.id)) return false
  return true
}

const plural = new Intl.PluralRules('en')

/**
 * What the list's result count says: `3 incidents match "gym"`,
 * `1 incident matches the filters`; '' when nothing narrows the list.
 */
export function matchCountText(count: number, query: string, filtered: boolean): string {
  const q = query.trim()
  if (!q && !filtered) return ''
  const one = plural.select(count) === 'one'
  const what = `${count} ${one ? 'incident matches' : 'incidents match'}`
  if (q) return `${what} “${q}”${filtered ? ' with the filters' : ''}`
  return `${what} the filters`
}
