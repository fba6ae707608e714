import { defineStore, acceptHMRUpdate } from 'pinia'
import { computed, ref, shallowRef } from 'vue'
import type { StoredRunbookVersion } from '../db/database'
import { localData } from '../db/load'
import { runbooks as built, findRunbook as findBuilt } from '../runbooks/catalog'
import { isRunbookPage, loadRunbook, type LoadRunbookOptions } from '../runbooks/load'
import { setSyncedRunbooks } from '../runbooks/search'
import type { RunbookMeta, RunbookPage } from '../runbooks/types'

/** A stored row as a page, when it has the shape this version shows (else it is ignored, never shown broken). */
function pageOf(row: StoredRunbookVersion | undefined): RunbookPage | null {
  if (!row || !isRunbookPage(row.page, row.id)) return null
  return { ...row.page, published: row.version }
}

/**
 * The phone's runbook catalogue: the build's runbooks overlaid with the
 * published versions synced from the server (src/sync/runbook-catalogue.ts),
 * the synced one winning for the same id. The server seeds its versions from
 * the same runbooks/ folder at start, so its published version is the build's
 * or newer. A runbook the server does not publish (never there, or withdrawn)
 * shows the build's, offline on a first visit too.
 *
 * Every tab reads the synced versions through a live query, so a refresh run
 * by the tab that syncs reaches the others; the search index follows the
 * same list (search.ts updates only the changed documents).
 */
export const useRunbookCatalogueStore = defineStore('runbookCatalogue', () => {
  /** Published synced pages by id. */
  const synced = shallowRef<ReadonlyMap<string, RunbookPage>>(new Map())
  /** The synced versions have been read from this phone's database once (or could not be). */
  const loaded = ref(false)
  let watching: Promise<void> | null = null
  /** Older versions read by pageAt, by `<version> <id>`. */
  const versions = new Map<string, RunbookPage>()

  /** The catalogue: the build's order, synced entries in place, runbooks only the server has after them by title. */
  const list = computed<readonly RunbookMeta[]>(() => {
    const overlay = synced.value
    const out = built.map((runbook) => overlay.get(runbook.id) ?? runbook)
    const extra = [...overlay.values()].filter((page) => !findBuilt(page.id))
    return out.concat(extra.sort((a, b) => a.title.localeCompare(b.title)))
  })

  function find(id: string): RunbookMeta | undefined {
    return synced.value.get(id) ?? findBuilt(id)
  }

  function apply(rows: readonly StoredRunbookVersion[]): void {
    const pages = rows.map((row) => ({ row, page: pageOf(row) }))
    const valid = pages.filter((p): p is { row: StoredRunbookVersion; page: RunbookPage } => p.page !== null)
    synced.value = new Map(valid.map(({ page }) => [page.id, page]))
    setSyncedRunbooks(valid.map(({ row, page }) => ({ meta: page, text: row.text })))
    loaded.value = true
  }

  /** Start following the synced versions (once); resolves after the first read. Never rejects. */
  function load(): Promise<void> {
    watching ??= Promise.all([localData(), import('../db/runbooks')])
      .then(
        ([{ database, liveQuery }, { publishedRunbookVersions }]) =>
          new Promise<void>((resolve) => {
            const db = database()
            liveQuery(() => publishedRunbookVersions(db)).subscribe({
              next: (rows) => {
                apply(rows)
                resolve()
              },
              error: () => {
                // Unreadable storage: the build's runbooks still show.
                loaded.value = true
                resolve()
              },
            })
          }),
      )
      .catch(() => {
        loaded.value = true
      })
    return watching
  }

  /** The page to show for `id`: the synced published version, else the build's (precached `runbooks/<id>.json`). */
  async function loadPage(id: string, options: LoadRunbookOptions = {}): Promise<RunbookPage> {
    await load()
    return synced.value.get(id) ?? loadRunbook(id, options)
  }

  /**
   * Version `version` of `id`, for a log entry that names it: the published
   * page, else the one stored on this phone (every version this phone synced
   * is kept when a newer one is published). Null when this phone never held
   * it (an entry from a phone that synced a version this one skipped): the
   * entry's own text still says what was done.
   */
  async function pageAt(id: string, version: number): Promise<RunbookPage | null> {
    await load()
    const published = synced.value.get(id)
    if (published?.published === version) return published
    // A version never changes once stored: a Timeline of many ticks reads each one once.
    const key = `${version} ${id}`
    const kept = versions.get(key)
    if (kept) return kept
    try {
      const [{ database }, { readRunbookVersion }] = await Promise.all([localData(), import('../db/runbooks')])
      const page = pageOf(await readRunbookVersion(database(), id, version))
      // Not kept when absent: the version may be synced later.
      if (page) versions.set(key, page)
      return page
    } catch {
      return null // unreadable storage
    }
  }

  return { synced, loaded, list, find, load, loadPage, pageAt }
})

if (import.meta.hot) import.meta.hot.accept(acceptHMRUpdate(useRunbookCatalogueStore, import.meta.hot))
