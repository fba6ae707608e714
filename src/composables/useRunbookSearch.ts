import { onScopeDispose, ref, shallowRef, toValue, watch, type MaybeRefOrGetter, type Ref, type ShallowRef } from 'vue'
import { runbooks as catalog } from '../runbooks/catalog'
import { prepareRunbookSearch, searchRunbooks } from '../runbooks/search'
import type { RunbookHit, RunbookMeta } from '../runbooks/types'

export interface UseRunbookSearchOptions {
  query: MaybeRefOrGetter<string>
  /** Wait this long after the last keystroke, in ms: enough to skip work mid-word, short enough to feel instant. */
  debounce?: number
  /** Injected in tests; the prebuilt MiniSearch index otherwise. */
  search?: (query: string) => Promise<RunbookHit[]>
  prepare?: () => Promise<void>
  /** What a plain-text filter searches when the index cannot be loaded. */
  catalog?: MaybeRefOrGetter<readonly RunbookMeta[]>
}

export interface UseRunbookSearchReturn {
  /** Hits for the current query, best first; null while the query is blank. */
  hits: ShallowRef<RunbookHit[] | null>
  /** The query `hits` answer: while typing, the field is ahead of the hits shown. */
  answered: Ref<string>
  searching: Ref<boolean>
  /** The index could not be loaded (offline before it was cached): hits come from a plain title/summary/tag filter. */
  degraded: Ref<boolean>
  /** Start loading the index (on focus), so the first keystroke answers at once. */
  prepare: () => void
}

/** Results as you type, newest query wins: a slow answer to an old query never replaces a newer one. */
export function useRunbookSearch(options: UseRunbookSearchOptions): UseRunbookSearchReturn {
  const search = options.search ?? ((query: string) => searchRunbooks(query))
  const prepareIndex = options.prepare ?? prepareRunbookSearch
  const hits = shallowRef<RunbookHit[] | null>(null)
  const answered = ref('')
  const searching = ref(false)
  const degraded = ref(false)
  let timer: ReturnType<typeof setTimeout> | undefined
  let latest = 0

  async function run(query: string, ticket: number): Promise<void> {
    searching.value = true
    try {
      const found = await search(query)
      if (ticket !== latest) return
      hits.value = found
      answered.value = query
      degraded.value = false
    } catch {
      if (ticket !== latest) return
      hits.value = plainFilter(toValue(options.catalog) ?? catalog, query)
      answered.value = query
      degraded.value = true
    } finally {
      if (ticket === latest) searching.value = false
    }
  }

  watch(
    () => toValue(options.query),
    (query) => {
      clearTimeout(timer)
      const ticket = ++latest
      if (query.trim() === '') {
        hits.value = null
        answered.value = ''
        searching.value = false
        return
      }
      timer = setTimeout(() => void run(query, ticket), options.debounce ?? 120)
    },
    { immediate: true },
  )

  onScopeDispose(() => {
    clearTimeout(timer)
    latest++
  })

  return {
    hits,
    answered,
    searching,
    degraded,
    // A failure here shows up, with the fallback, at the first search.
    prepare: () => {
      void prepareIndex().catch(() => {})
    },
  }
}

/** Every word must appear in the title, summary or tags: crude, but it works with no index at all. */
function plainFilter(list: readonly RunbookMeta[], query: string): RunbookHit[] {
  const words = query.toLowerCase().split(/\s+/).filter(Boolean)
  return list
    .filter((r) => {
      const haystack = `${r.title} ${r.summary} ${r.tags.join(' ')}`.toLowerCase()
      return words.every((word) => haystack.includes(word))
    })
    .map((r) => ({ ...r, score: 0, terms: [] }))
}
