/**
 * The incident list as a tree: sub-incidents under their parent at any depth,
 * and what a search or a filter keeps of it. Pure: the list view renders it.
 */
import type { IncidentOverview } from './summary'

export interface IncidentNode {
  incident: IncidentOverview
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
 * under the chain of its ancestors (marked `context`); with `score` (id → a
 * search's score, higher is better), siblings are ordered by the best score in
 * their subtree, ties kept in display order.
 */
export function incidentForest(
  incidents: readonly IncidentOverview[],
  keep: ReadonlySet<string> | null = null,
  score: ReadonlyMap<string, number> | null = null,
): IncidentNode[] {
  const byId = new Map(incidents.map((s) => [s.id, s]))
  const kids = new Map<string, IncidentOverview[]>()
  const roots: IncidentOverview[] = []
  for (const s of incidents) {
    const parent = s.parentId && s.parentId !== s.id && byId.has(s.parentId) ? s.parentId : null
    if (parent && !inCycle(s, byId)) {
      const list = kids.get(parent)
      if (list) list.push(s)
      else kids.set(parent, [s])
    } else roots.push(s)
  }

  interface Built {
    node: IncidentNode
    best: number
  }
  const bestFirst = (a: Built, b: Built) => b.best - a.best
  const build = (s: IncidentOverview): Built | null => {
    const children: Built[] = []
    const sub = kids.get(s.id)
    if (sub)
      for (const c of sub) {
        const built = build(c)
        if (built) children.push(built)
      }
    const kept = !keep || keep.has(s.id)
    if (!kept && children.length === 0) return null
    if (score && children.length > 1) children.sort(bestFirst)
    let best = kept && score ? (score.get(s.id) ?? -Infinity) : -Infinity
    let descendants = 0
    for (const c of children) {
      if (c.best > best) best = c.best
      descendants += 1 + c.node.descendants
    }
    return { node: { incident: s, children: children.map((c) => c.node), context: !kept, descendants }, best }
  }

  const built: Built[] = []
  for (const s of roots) {
    // Without a filter every incident is kept: no subtree needs to be walked twice.
    if (!keep && !kids.has(s.id))
      built.push({ node: { incident: s, children: [], context: false, descendants: 0 }, best: 0 })
    else {
      const b = build(s)
      if (b) built.push(b)
    }
  }
  if (score) built.sort(bestFirst)
  return built.map((b) => b.node)
}

/** One line of the list as drawn: an incident at its depth (0: top level), with its place among its siblings. */
export interface IncidentRow {
  node: IncidentNode
  depth: number
  /** 1-based place among its siblings, and how many siblings (for aria-posinset / aria-setsize). */
  position: number
  siblings: number
}

/**
 * The rows of `forest` in reading order, parents before their sub-incidents;
 * the sub-incidents of ids in `collapsed` are left out (when `collapsible`).
 */
export function incidentRows(
  forest: readonly IncidentNode[],
  collapsed: ReadonlySet<string>,
  collapsible: boolean,
): IncidentRow[] {
  const rows: IncidentRow[] = []
  const walk = (nodes: readonly IncidentNode[], depth: number) => {
    nodes.forEach((node, i) => {
      rows.push({ node, depth, position: i + 1, siblings: nodes.length })
      if (node.children.length && !(collapsible && collapsed.has(node.incident.id))) walk(node.children, depth + 1)
    })
  }
  walk(forest, 0)
  return rows
}

/** True when following parents from `s` comes back to `s` (data from two phones can make a loop). */
function inCycle(s: IncidentOverview, byId: ReadonlyMap<string, IncidentOverview>): boolean {
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
  status: IncidentOverview['status'] | 'open' | null
  severity: IncidentOverview['severity'] | null
  /** Ids of incidents where I hold a role, when "My roles" is on. */
  mine: ReadonlySet<string> | null
}

/** Whether `s` passes the filters ("open" = active or mitigated). */
export function passesFilter(s: IncidentOverview, f: IncidentFilter): boolean {
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
