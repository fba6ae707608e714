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

/**
 * A query function over `index`, joining hits with `catalog`. A Map is read
 * live: an entry set or replaced later (a runbook synced from the server) is
 * what its hits show from then on.
 */
export function createRunbookQuery(
  index: MiniSearch<RunbookSearchDoc>,
  catalog: readonly RunbookMeta[] | ReadonlyMap<string, RunbookMeta>,
): RunbookQuery {
  const byId: ReadonlyMap<string, RunbookMeta> =
    catalog instanceof Map
      ? catalog
      : new Map((catalog as readonly RunbookMeta[]).map((runbook) => [runbook.id, runbook]))
  // Per catalogue entry, so a replaced entry gets its own.
  const titles = new WeakMap<RunbookMeta, string>()
  const comparableTitle = (meta: RunbookMeta): string => {
    let title = titles.get(meta)
    if (title === undefined) titles.set(meta, (title = comparable(meta.title)))
    return title
  }
  return (query, limit = DEFAULT_HIT_LIMIT) => {
    const text = query.trim().slice(0, MAX_QUERY_CHARS)
    if (text === '') return []
    // Every word must match (narrows as you type); if that finds nothing, any word may.
    let results = index.search(text)
    if (results.length === 0) results = index.search(text, { combineWith: 'OR' })
    const wanted = comparable(text)
    const exact: RunbookHit[] = []
    const hits: RunbookHit[] = []
    for (const result of results) {
      const meta = byId.get(String(result.id))
      // An index entry missing from the catalog cannot be opened; skip it rather than show a dead link.
      if (!meta) continue
      // Typing a runbook's exact title puts it first, even if longer runbooks mention the words more.
      const isExact = comparableTitle(meta) === wanted
      if (!isExact && hits.length >= limit) continue
      ;(isExact ? exact : hits).push({ ...meta, score: result.score, terms: result.terms })
    }
    return exact.concat(hits).slice(0, limit)
  }
}

function comparable(text: string): string {
  return text
    .normalize('NFD')
    .replace(/\p{M}+/gu, '')
    .toLowerCase()
    .replace(/[^\p{L}\p{N}]+/gu, '')
}
