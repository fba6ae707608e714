/**
 * Builds the runbook search index at build time. The app downloads it once, on
 * the first search, and loads it with `MiniSearch.loadJSON` and the same
 * INDEX_OPTIONS: no indexing ever happens on the device.
 */
import MiniSearch from 'minisearch'
import { INDEX_OPTIONS, toSearchDoc, type RunbookSearchDoc } from '../../src/runbooks/search-options'

export function buildSearchIndex(runbooks: readonly RunbookSearchDoc[]): MiniSearch<RunbookSearchDoc> {
  const index = new MiniSearch<RunbookSearchDoc>(INDEX_OPTIONS)
  index.addAll(runbooks.map(toSearchDoc))
  return index
}

/** The serialised index, as emitted to dist (MiniSearch `toJSON`). */
export function serializeSearchIndex(runbooks: readonly RunbookSearchDoc[]): string {
  return JSON.stringify(buildSearchIndex(runbooks))
}
