/**
 * The phone's incident search index, kept up to date incrementally: each
 * incident is one MiniSearch document, added when it first appears, replaced
 * when its events change, discarded when it is gone. Nothing is rebuilt when
 * one event arrives.
 *
 * This module imports MiniSearch itself: load it with a dynamic import, never
 * from the first screen.
 */
import MiniSearch from 'minisearch'
import type { IncidentState } from './fold'
import { INCIDENT_INDEX_OPTIONS, incidentSearchDoc, type IncidentSearchDoc } from './incident-search'

interface Indexed {
  /** The state object indexed: a refold makes a new one. */
  state: IncidentState
  /** Its applied events then: every applied event (an amendment, a task done…) adds one. */
  events: number
}

export class IncidentSearchIndex {
  private readonly mini = new MiniSearch<IncidentSearchDoc>(INCIDENT_INDEX_OPTIONS)
  private readonly indexed = new Map<string, Indexed>()

  /** Incidents indexed. */
  get size(): number {
    return this.indexed.size
  }

  /** Whether `state` differs from what the index holds for it (new, refolded or with new events). */
  isStale(state: IncidentState): boolean {
    const known = this.indexed.get(state.id)
    return !known || known.state !== state || known.events !== state.events.length
  }

  /** The incidents of `states` the index does not hold as they are now. */
  stale(states: Iterable<IncidentState>): IncidentState[] {
    const out: IncidentState[] = []
    for (const s of states) if (this.isStale(s)) out.push(s)
    return out
  }

  /** Add or replace one incident's document. */
  put(state: IncidentState): void {
    if (this.indexed.has(state.id)) this.mini.discard(state.id)
    this.mini.add(incidentSearchDoc(state))
    this.indexed.set(state.id, { state, events: state.events.length })
  }

  /** Drop incidents that are no longer among `ids` (a phone that forgot its data). Returns how many. */
  retainOnly(ids: ReadonlySet<string>): number {
    let dropped = 0
    for (const id of [...this.indexed.keys()]) {
      if (ids.has(id)) continue
      this.mini.discard(id)
      this.indexed.delete(id)
      dropped++
    }
    return dropped
  }

  /**
   * Bring the index up to date with `states`, incident by incident; returns
   * the number of documents written (0 when nothing changed).
   */
  update(states: Iterable<IncidentState>): number {
    const list = [...states]
    const stale = this.stale(list)
    for (const s of stale) this.put(s)
    this.retainOnly(new Set(list.map((s) => s.id)))
    return stale.length
  }

  /** Ids of the incidents matching `query`, best first (prefix, fuzzy, title ×3); [] for a blank query. */
  search(query: string): string[] {
    if (query.trim() === '') return []
    return this.mini.search(query).map((hit) => String(hit.id))
  }
}
