/**
 * Querying a loaded runbook index, without I/O: search.ts wires it to the
 * catalog and the network; tests and the benchmark use it directly.
 */
import type MiniSearch from 'minisearch'
import type { RunbookSearchDoc } from './search-options'
import type { RunbookHit, RunbookMeta } from './types'

/** Long pasted text is cut: past this, more words only slow the query. */
export const MAX_QUERY_CHARS = 200
export const DEFAULT_HIT_LIMIT = 50

export type RunbookQuery = (query: string, limit?: number) => RunbookHit[]

export function createRunbookQuery(index: MiniSearch<RunbookSearchDoc>, catalog: readonly RunbookMeta[]): RunbookQuery {
  const byId = new Map(catalog.map((runbook) => [runbook.id, runbook]))
  return (query, limit = DEFAULT_HIT_LIMIT) => {
    const text = query.trim().slice(0, MAX_QUERY_CHARS)
    if (text === '') return []
    // Every word must match (narrows as you type); if that finds nothing, any word may.
    let results = index.search(text)
    if (results.length === 0) results = index.search(text, { combineWith: 'OR' })
    const hits: RunbookHit[] = []
    for (const result of results) {
      const meta = byId.get(String(result.id))
      // An index entry missing from the catalog cannot be opened; skip it rather than show a dead link.
      if (!meta) continue
      hits.push({ ...meta, score: result.score, terms: result.terms })
      if (hits.length >= limit) break
    }
    return hits
  }
}
