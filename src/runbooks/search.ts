/**
 * Offline runbook search. The index is built at build time; the first search
 * downloads it (from the precache when offline) and loads MiniSearch with a
 * dynamic import, so neither weighs on app start. Later searches reuse it.
 *
 * Runbooks synced from the server (setSyncedRunbooks) overlay the build's: a
 * changed runbook's document is replaced in the loaded index (discard, then
 * add its new text), so text removed from it stops matching and new text
 * matches, without rebuilding the rest. Only a runbook the server stopped
 * publishing reopens the prebuilt index, whose copy of the build's text the
 * replacement had discarded.
 */
import type MiniSearch from 'minisearch'
import { manifest } from './catalog'
import { createRunbookQuery, type RunbookQuery } from './search-core'
import { INDEX_OPTIONS, toSearchDoc, type RunbookSearchDoc } from './search-options'
import type { RunbookHit, RunbookMeta } from './types'

/** A runbook synced from the server, as the index needs it: its catalogue entry and its searchable text. */
export interface SyncedSearchEntry {
  meta: RunbookMeta
  /** The compiled runbook's plain text (compile's `text`). */
  text: string
}

interface OpenIndex {
  index: MiniSearch<RunbookSearchDoc>
  /** The catalogue hits are joined with: the build's, overlaid with the synced entries applied so far. */
  catalog: Map<string, RunbookMeta>
  query: RunbookQuery
}

let ready: Promise<OpenIndex> | null = null
/** Resolved index, to update in place when synced runbooks change. */
let current: OpenIndex | null = null
/** The synced runbooks the index must reflect, by id. */
let synced = new Map<string, SyncedSearchEntry>()

async function openIndex(): Promise<OpenIndex> {
  const path = manifest.searchIndex
  const { default: MiniSearch } = await import('minisearch')
  let index: MiniSearch<RunbookSearchDoc>
  if (path) {
    const response = await fetch(`${import.meta.env.BASE_URL}${path}`, { headers: { Accept: 'application/json' } })
    if (!response.ok) throw new Error(`search index could not be loaded (HTTP ${response.status})`)
    index = MiniSearch.loadJSON(await response.text(), INDEX_OPTIONS)
  } else index = new MiniSearch(INDEX_OPTIONS)
  const catalog = new Map(manifest.runbooks.map((runbook) => [runbook.id, runbook]))
  const opened: OpenIndex = { index, catalog, query: createRunbookQuery(index, catalog) }
  // Whatever was synced while the index loaded is applied now, synchronously, before anyone searches.
  for (const entry of synced.values()) apply(opened, entry)
  current = opened
  return opened
}

function apply(opened: OpenIndex, entry: SyncedSearchEntry): void {
  const doc = toSearchDoc({ ...entry.meta, text: entry.text })
  if (opened.index.has(doc.id)) opened.index.replace(doc)
  else opened.index.add(doc)
  opened.catalog.set(doc.id, entry.meta)
}

function openOnce(): Promise<OpenIndex> {
  ready ??= openIndex().catch((error: unknown) => {
    // Forget the failure so the next search tries again (the network may be back).
    ready = null
    throw error
  })
  return ready
}

/** What setSyncedRunbooks did to a loaded index (for tests and the benchmark). */
export interface SyncedSearchUpdate {
  /** Documents replaced or added in place. */
  updated: string[]
  /** True when a runbook was withdrawn and the prebuilt index will be reloaded at the next search. */
  reopened: boolean
}

/**
 * The synced runbooks the search must reflect, all of them (the catalogue
 * overlay's current list). Only entries whose published version changed are
 * re-indexed. Cheap when nothing changed; safe before the index is loaded
 * (they are applied when it loads).
 */
export function setSyncedRunbooks(entries: readonly SyncedSearchEntry[]): SyncedSearchUpdate {
  const next = new Map(entries.map((entry) => [entry.meta.id, entry]))
  const changed = entries.filter((entry) => synced.get(entry.meta.id)?.meta.published !== entry.meta.published)
  const withdrawn = [...synced.keys()].some((id) => !next.has(id))
  synced = next
  if (!current) return { updated: [], reopened: false }
  if (withdrawn) {
    // The build's text of a withdrawn runbook is only in the prebuilt index: load it again on the next search.
    current = null
    ready = null
    return { updated: [], reopened: true }
  }
  for (const entry of changed) apply(current, entry)
  return { updated: changed.map((entry) => entry.meta.id), reopened: false }
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
  const opened = await openOnce()
  return opened.query(query, limit)
}
