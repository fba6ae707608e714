/**
 * Offline runbook search. The index is built at build time; the first search
 * downloads it (from the precache when offline) and loads MiniSearch with a
 * dynamic import, so neither weighs on app start. Later searches reuse it.
 */
import { manifest } from './catalog'
import { createRunbookQuery, type RunbookQuery } from './search-core'
import { INDEX_OPTIONS } from './search-options'
import type { RunbookHit } from './types'

let ready: Promise<RunbookQuery> | null = null

async function openIndex(): Promise<RunbookQuery> {
  const path = manifest.searchIndex
  if (!path) return () => []
  const [{ default: MiniSearch }, response] = await Promise.all([
    import('minisearch'),
    fetch(`${import.meta.env.BASE_URL}${path}`, { headers: { Accept: 'application/json' } }),
  ])
  if (!response.ok) throw new Error(`search index could not be loaded (HTTP ${response.status})`)
  const index = MiniSearch.loadJSON(await response.text(), INDEX_OPTIONS)
  return createRunbookQuery(index, manifest.runbooks)
}

function openOnce(): Promise<RunbookQuery> {
  ready ??= openIndex().catch((error: unknown) => {
    // Forget the failure so the next search tries again (the network may be back).
    ready = null
    throw error
  })
  return ready
}

/**
 * Starts loading the index without searching, e.g. when the search field gets
 * focus, so the first keystroke answers at once. Safe to call repeatedly.
 */
export async function prepareRunbookSearch(): Promise<void> {
  await openOnce()
}

/** Runbooks matching `query`, best first; title matches weigh ×3, tags ×2, prefix and typo tolerant. */
export async function searchRunbooks(query: string, limit?: number): Promise<RunbookHit[]> {
  if (query.trim() === '') return []
  const run = await openOnce()
  return run(query, limit)
}
