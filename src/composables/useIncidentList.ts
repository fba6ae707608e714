import { computed, ref, shallowRef, type ComputedRef, type Ref, type ShallowRef } from 'vue'
import type { Severity, Status } from '../domain/events'
import {
  incidentForest,
  incidentRows,
  matchCountText,
  passesFilter,
  type IncidentFilter,
  type IncidentRow,
} from '../domain/incident-tree'
import { myIncidentRoles } from '../domain/roles'
import { useIncidentsStore } from '../stores/incidents'
import { useProfileStore } from '../stores/profile'
import { useIncidentSearch, type UseIncidentSearchOptions } from './useIncidentSearch'

/** A line of the drawn list: an incident row, or the "Resolved" heading between the two lists. */
export type IncidentListLine =
  ({ kind: 'incident'; key: string; resolved: boolean } & IncidentRow) | { kind: 'heading'; key: 'resolved-heading' }

export interface UseIncidentListReturn {
  query: Ref<string>
  /** '' (any), 'open', or a status. */
  status: Ref<string>
  /** '' (any) or '1'…'4'. */
  severity: Ref<string>
  mine: Ref<boolean>
  /** Open incidents (parents before sub-incidents), the heading, then resolved ones. */
  lines: ComputedRef<IncidentListLine[]>
  /** How many open lines come first (the rest, after the heading, are resolved). */
  openCount: ComputedRef<number>
  /** What the count line says: `3 incidents match "gym"`; '' when nothing narrows the list. */
  count: ComputedRef<string>
  /** A query is typed and the index is still being built. */
  preparing: ComputedRef<boolean>
  /** Sub-incidents can be folded (not while a search or filter is on: every match stays in view). */
  collapsible: ComputedRef<boolean>
  collapsed: ShallowRef<ReadonlySet<string>>
  toggle: (id: string) => void
  prepare: () => void
}

/**
 * The incidents list's state: the search, the filters, the tree of
 * sub-incidents and which branches are folded, as lines to draw.
 */
export function useIncidentList(
  options: Pick<UseIncidentSearchOptions, 'load' | 'schedule'> = {},
): UseIncidentListReturn {
  const store = useIncidentsStore()
  const profile = useProfileStore()
  const query = ref('')
  const status = ref('')
  const severity = ref('')
  const mine = ref(false)
  const search = useIncidentSearch({ query, ...options })

  const filtered = computed(() => !!(status.value || severity.value || mine.value))
  const searching = computed(() => query.value.trim() !== '' && search.matches.value !== null)

  /** Ids shown (null: all) and the search's scores. */
  const kept = computed(() => {
    if (!searching.value && !filtered.value) return { keep: null, score: null }
    const f: IncidentFilter = {
      status: (status.value || null) as Status | 'open' | null,
      severity: severity.value ? (Number(severity.value) as Severity) : null,
      mine: mine.value ? new Set(myIncidentRoles(store.incidents, profile.actor).map((m) => m.incident.id)) : null,
    }
    const score = searching.value ? search.matches.value : null
    const keep = new Set<string>()
    for (const s of store.list) if ((!score || score.has(s.id)) && passesFilter(s, f)) keep.add(s.id)
    return { keep, score }
  })

  const collapsed = shallowRef<ReadonlySet<string>>(new Set())
  const collapsible = computed(() => kept.value.keep === null)
  const lines = computed<IncidentListLine[]>(() => {
    const forest = incidentForest(store.list, kept.value.keep, kept.value.score)
    const rows = incidentRows(forest, collapsed.value, collapsible.value)
    const open: IncidentListLine[] = []
    const resolved: IncidentListLine[] = []
    // A sub-incident goes where its top parent goes.
    let top: IncidentListLine[] = open
    const tops = { open: 0, resolved: 0 }
    for (const row of rows) if (row.depth === 0) tops[row.node.incident.status === 'resolved' ? 'resolved' : 'open']++
    const places = { open: 0, resolved: 0 }
    for (const row of rows) {
      if (row.depth > 0) {
        top.push({ kind: 'incident', key: row.node.incident.id, resolved: top === resolved, ...row })
        continue
      }
      const section = row.node.incident.status === 'resolved' ? 'resolved' : 'open'
      top = section === 'resolved' ? resolved : open
      // Top-level places count within their own list (Open or Resolved).
      const place = { position: ++places[section], siblings: tops[section] }
      top.push({ kind: 'incident', key: row.node.incident.id, resolved: section === 'resolved', ...row, ...place })
    }
    return resolved.length ? [...open, { kind: 'heading', key: 'resolved-heading' }, ...resolved] : open
  })
  const openCount = computed(() => {
    const at = lines.value.findIndex((l) => l.kind === 'heading')
    return at < 0 ? lines.value.length : at
  })
  const count = computed(() =>
    kept.value.keep ? matchCountText(kept.value.keep.size, searching.value ? query.value : '', filtered.value) : '',
  )

  function toggle(id: string): void {
    const next = new Set(collapsed.value)
    if (!next.delete(id)) next.add(id)
    collapsed.value = next
  }

  return {
    query,
    status,
    severity,
    mine,
    lines,
    openCount,
    count,
    preparing: computed(() => query.value.trim() !== '' && !search.ready.value),
    collapsible,
    collapsed,
    toggle,
    prepare: search.prepare,
  }
}
